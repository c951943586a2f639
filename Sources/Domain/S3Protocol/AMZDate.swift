// AMZDate: the two timestamp shapes S3 speaks, without DateFormatter (locale- and thread-sensitive, slow):
// SigV4's basic form "20130524T000000Z" and the ISO 8601 form in XML bodies "2009-10-12T17:50:30.000Z".
import Foundation

enum AMZDate {
    /// "YYYYMMDD'T'HHMMSS'Z'" in UTC; sub-second parts are dropped, as SigV4 requires.
    static func basic(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "T"
            + pad(secondOfDay / 3600, 2) + pad(secondOfDay / 60 % 60, 2) + pad(secondOfDay % 60, 2) + "Z"
    }

    /// "YYYY-MM-DD'T'HH:MM:SS'Z'" in UTC, whole seconds: the shape of Object Lock retain-until dates, which
    /// S3 also returns in this form.
    static func iso8601Seconds(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "Z"
    }

    /// Parses the IMF-fixdate of HTTP headers, "Fri, 21 Dec 2012 00:00:00 GMT" (RFC 9110 5.6.7), as used in
    /// x-amz-restore's expiry-date. The weekday is not checked: it carries no information.
    static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int(parts[1]), (1...31).contains(day),
            let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]), parts[3].count == 4
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, clock.allSatisfy({ $0.count == 2 }),
            let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month + 1), day: Int64(day))
        return Date(timeIntervalSince1970: Double(days * 86_400 + Int64(hour * 3600 + minute * 60 + second)))
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; nil for anything else.
    static func parseISO8601(_ text: String) -> Date? {
        let c = Array(text.utf8)
        guard c.count >= 20, c[4] == 0x2D, c[7] == 0x2D, c[10] == 0x54 || c[10] == 0x74,
            c[13] == 0x3A, c[16] == 0x3A,
            let year = number(c, 0, 4), let month = number(c, 5, 2), let day = number(c, 8, 2),
            let hour = number(c, 11, 2), let minute = number(c, 14, 2), let second = number(c, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if c[index] == 0x2E {
            var scale = 0.1
            index += 1
            let start = index
            while index < c.count, let digit = digit(c[index]) {
                fraction += Double(digit) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard let offset = zoneOffset(c, from: index) else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    private static func zoneOffset(_ c: [UInt8], from index: Int) -> Int64? {
        guard index < c.count else { return nil }
        if c[index] == 0x5A || c[index] == 0x7A { return index + 1 == c.count ? 0 : nil }
        guard c[index] == 0x2B || c[index] == 0x2D, index + 6 == c.count, c[index + 3] == 0x3A,
            let hours = number(c, index + 1, 2), let minutes = number(c, index + 4, 2)
        else { return nil }
        let offset = Int64(hours * 3600 + minutes * 60)
        return c[index] == 0x2D ? -offset : offset
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (0x30...0x39).contains(byte) ? Int(byte - 0x30) : nil
    }

    private static func number(_ c: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for index in start..<(start + count) {
            guard let d = digit(c[index]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    // Howard Hinnant's proleptic-Gregorian day algorithms: exact for any year, no tables, no calendar object.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
