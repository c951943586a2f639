// The one JSON encoding used for everything Lifeboat stores or prints: snake_case keys, ISO-8601 UTC dates
// with fractional seconds, sorted keys (stable output for tests and diffs).
import Foundation

public enum CatalogCoding {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatTimestamp(date))
        }
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = parseTimestamp(text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "invalid timestamp '\(text)'"))
            }
            return date
        }
        return decoder
    }

    /// 2026-11-21T19:53:12.345Z
    public static func formatTimestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Accepts RFC 3339 timestamps with or without fractional seconds (`2026-11-21T03:14:00Z`,
    /// `2026-11-21T03:14:00.5+01:00`), PostgreSQL's own output form (`2026-11-21 03:14:00.123456+00`), and
    /// plain dates (`2026-11-21`, midnight UTC). Anything else is nil — never a silently truncated time: a
    /// restore target read as midnight instead of 03:14 would recover the wrong data.
    public static func parseTimestamp(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let characters = Array(trimmed)
        if characters.count == 10 {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            guard let date = formatter.date(from: trimmed), formatter.string(from: date) == trimmed else { return nil }
            return date
        }
        guard characters.count >= 20, characters[10] == "T" || characters[10] == " " else { return nil }
        let normalized = normalizeOffset("\(String(characters[..<10]))T\(String(characters[11...]))")
        guard let normalized, isStrictRFC3339(normalized) else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: normalized) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: normalized)
    }

    /// `+00` → `+00:00`, `+0130` → `+01:30`, `z` → `Z`; nil without a zone (a local time is ambiguous).
    static func normalizeOffset(_ text: String) -> String? {
        if text.hasSuffix("Z") || text.hasSuffix("z") { return String(text.dropLast()) + "Z" }
        guard let sign = text.lastIndex(where: { $0 == "+" || $0 == "-" }),
            text.distance(from: text.startIndex, to: sign) >= 19
        else { return nil }
        let zone = text[text.index(after: sign)...].filter { $0 != ":" }
        guard zone.allSatisfy(\.isASCII), zone.allSatisfy(\.isNumber), zone.count == 2 || zone.count == 4 else {
            return nil
        }
        let hours = zone.prefix(2)
        let minutes = zone.count == 4 ? zone.suffix(2) : "00"
        return String(text[...sign]) + hours + ":" + minutes
    }

    /// yyyy-MM-ddTHH:mm:ss(.fraction)?(Z|±HH:MM), nothing more and nothing less.
    static func isStrictRFC3339(_ text: String) -> Bool {
        let c = Array(text)
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= c.count && c[range].allSatisfy { $0.isASCII && $0.isNumber }
        }
        guard c.count >= 20, digits(0..<4), c[4] == "-", digits(5..<7), c[7] == "-", digits(8..<10), c[10] == "T",
            digits(11..<13), c[13] == ":", digits(14..<16), c[16] == ":", digits(17..<19)
        else { return false }
        var index = 19
        if index < c.count, c[index] == "." {
            index += 1
            let start = index
            while index < c.count, c[index].isASCII, c[index].isNumber { index += 1 }
            guard index > start else { return false }
        }
        let zone = String(c[index...])
        if zone == "Z" { return true }
        return zone.count == 6 && (zone.first == "+" || zone.first == "-") && digits(index + 1..<index + 3)
            && c[index + 3] == ":" && digits(index + 4..<index + 6)
    }
}
