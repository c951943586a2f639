// DurationText: fixed-length durations written by people ("15m", "1h30m", "7d", "2w") and written back
// compactly ("1d", "1h30m") in plan reasons. Months and years are refused: they have no fixed length, and a
// policy that means "twelve monthly backups" says so with a calendar count (`monthly: 12`), not with "12mo".
import Foundation

public enum DurationText {
    /// How accepted durations are written, for error messages.
    public static let acceptedForms =
        "an integer followed by a unit 's', 'm', 'h', 'd' or 'w', or several from the "
        + "largest unit down (e.g. '90s', '15m', '1h30m', '7d', '2w')"

    /// Shown when someone writes months or years.
    public static let calendarUnitHint =
        "months and years have no fixed length; write days ('30d', '365d') or use a "
        + "calendar count such as 'keep.snapshot.monthly: 12'"

    /// Units from the largest down; a duration names each at most once, in this order.
    static let units: [(symbol: Character, seconds: Int)] = [
        ("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
    ]

    /// Units refused because their length varies.
    static let calendarUnits: Set<String> = ["mo", "mon", "month", "months", "y", "yr", "year", "years", "M", "Y"]

    /// Seconds `text` denotes, or nil when it is not one of the accepted forms (or overflows).
    public static func parse(_ text: String) -> TimeInterval? {
        var remaining = Substring(text)
        var nextUnit = 0
        var total = 0
        guard !remaining.isEmpty else { return nil }
        while !remaining.isEmpty {
            let digits = remaining.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 12, let number = Int(digits) else { return nil }
            remaining = remaining.dropFirst(digits.count)
            guard let symbol = remaining.first,
                let index = units[nextUnit...].firstIndex(where: { $0.symbol == symbol })
            else { return nil }
            remaining = remaining.dropFirst()
            nextUnit = index + 1
            let (part, overflow) = number.multipliedReportingOverflow(by: units[index].seconds)
            let (sum, overflow2) = total.addingReportingOverflow(part)
            guard !overflow, !overflow2 else { return nil }
            total = sum
        }
        return TimeInterval(total)
    }

    /// True when `text` is a number followed by a month or year unit ("12mo", "1y"), to explain the refusal.
    public static func usesCalendarUnit(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return false }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        return calendarUnits.contains(unit) || calendarUnits.contains(unit.lowercased())
    }

    /// The shortest spelling in days, hours, minutes and seconds: 86400 → "1d", 5400 → "1h30m", 0 → "0s".
    /// Weeks are not used so that "7d" in a policy reads back as "7d" in a plan.
    public static func format(_ seconds: TimeInterval) -> String {
        var rest = Int(seconds.rounded())
        guard rest > 0 else { return "0s" }
        var text = ""
        for (symbol, size) in units where symbol != "w" && rest >= size {
            text += "\(rest / size)\(symbol)"
            rest %= size
        }
        return text
    }
}
