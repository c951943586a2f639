// DrillText: how drill reasons, summaries and due lists write durations, timings and times, in one place so
// the texts agree with each other and with retention plans (DurationText).
import Foundation
import Policy

enum DrillText {
    /// Whole seconds in the compact form of policy files: 62 → "1m2s", 3600 → "1h".
    static func duration(_ seconds: Double) -> String {
        DurationText.format(seconds)
    }

    /// Phase and check timings, to a tenth of a second: "41.2s".
    static func seconds(_ seconds: Double) -> String {
        String(format: "%.1fs", seconds)
    }

    /// UTC to the second, without the fraction CatalogCoding stores: "2026-11-21T03:14:00Z".
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
