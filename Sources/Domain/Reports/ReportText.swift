// ReportText: how reasons and renderers spell durations, instants and lists, in one place so the JSON
// reasons, the Markdown and the HTML read the same.
import Foundation
import Policy

enum ReportText {
    /// "2h5m", the spelling of policy files.
    static func duration(_ seconds: Double) -> String {
        DurationText.format(seconds)
    }

    /// "2026-03-10 02:00 UTC": instants are UTC (days are the policy zone's, and labelled as such).
    static func time(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
            parts.hour ?? 0, parts.minute ?? 0)
    }

    /// "2026-03-10" of an instant, in UTC.
    static func date(_ date: Date) -> String {
        String(time(date).prefix(10))
    }

    /// "a, b, c … and 4 more": a reason stays one readable sentence however long the list.
    static func list(_ items: [String], limit: Int = 10) -> String {
        guard items.count > limit else { return items.joined(separator: ", ") }
        return items.prefix(limit).joined(separator: ", ") + " … and \(items.count - limit) more"
    }

    static func percent(_ fraction: Double) -> String {
        String(format: "%.1f%%", fraction * 100)
    }

    /// "1 day" / "3 days".
    static func count(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(value) " + (value == 1 ? singular : plural ?? singular + "s")
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

/// What one section contributes to the verdict: failures make the report non-compliant, notes do not.
struct Findings {
    var failures: [String] = []
    var notes: [String] = []

    mutating func append(_ other: Findings) {
        failures += other.failures
        notes += other.notes
    }
}
