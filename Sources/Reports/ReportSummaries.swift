// ReportSummaries: the short phrases both renderers put in cells and headings, so Markdown and HTML agree.
import Foundation

enum ReportSummaries {
    static func objective(_ seconds: Double?) -> String {
        seconds.map(ReportText.duration) ?? "not set"
    }

    static func optionalDuration(_ seconds: Double?) -> String {
        seconds.map(ReportText.duration) ?? "—"
    }

    static func met(_ met: Bool) -> String {
        met ? "met" : "NOT MET"
    }

    static func verdict(_ report: ComplianceReport) -> String {
        report.verdict.compliant ? "COMPLIANT" : "NOT COMPLIANT"
    }

    static func period(_ report: ComplianceReport) -> String {
        "\(ReportText.time(report.since)) – \(ReportText.time(report.until))"
    }

    static func successRate(_ schedule: ScheduleCompliance) -> String {
        schedule.successRate.map(ReportText.percent) ?? "—"
    }

    static func cadence(_ drills: DrillCompliance) -> String {
        switch drills.cadenceMet {
        case .some(true): return "met"
        case .some(false): return "NOT MET"
        case .none: return "not judged"
        }
    }

    /// "1h2m (objective 1h)".
    static func against(_ value: Double?, _ objective: Double?) -> String {
        optionalDuration(value) + (objective.map { " (objective \(ReportText.duration($0)))" } ?? "")
    }
}
