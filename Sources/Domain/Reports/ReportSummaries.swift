// ReportSummaries: the short phrases both renderers put in cells and headings, so Markdown and HTML agree.
import Foundation

public enum ReportSummaries {
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
        verdict(report.verdict.status)
    }

    public static func verdict(_ status: OverallVerdict) -> String {
        switch status {
        case .compliant: return "COMPLIANT"
        case .notCompliant: return "NOT COMPLIANT"
        case .insufficientHistory: return "INSUFFICIENT HISTORY"
        }
    }

    static func status(_ status: ObjectiveStatus) -> String {
        switch status {
        case .met: return "met"
        case .notMet: return "NOT MET"
        case .insufficientHistory: return "insufficient history"
        case .notJudged: return "not judged"
        }
    }

    static func objectiveName(_ objective: String) -> String {
        switch objective {
        case "rpo": return "RPO"
        case "rto": return "RTO (drills)"
        case "drill_cadence": return "Drill cadence"
        case "schedule": return "Backup schedule"
        case "retention": return "Retention"
        case "encryption": return "Encryption"
        case "immutability": return "Immutability"
        default: return objective
        }
    }

    /// Why the retention table is empty: no calendar rule, or none of its slots has ended since the first backup.
    static func noRequiredSlot(_ report: ComplianceReport) -> String {
        let status = report.verdict.objectives.first { $0.objective == "retention" }?.status
        return status == .insufficientHistory
            ? "No required slot has ended since the first backup yet: retention cannot be judged (insufficient history)."
            : "No calendar keep rule requires a backup."
    }

    static func period(_ report: ComplianceReport) -> String {
        "\(ReportText.time(report.since)) – \(ReportText.time(report.until))"
    }

    /// "14", or "14 (12 incremental)" when incremental snapshots are among them: an auditor sees how many
    /// restorable points rest on a chain.
    static func completed(_ schedule: ScheduleCompliance) -> String {
        schedule.incrementalRuns == 0
            ? "\(schedule.completedRuns)" : "\(schedule.completedRuns) (\(schedule.incrementalRuns) incremental)"
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
