// DrillSummaryText: the readable end of `drill run`. The verdict line comes first because it is what a person
// looking at a cron mail needs; the phases, checks and reasons below it explain it. Words ("ok", "FAILED")
// carry the meaning, the symbols only help the eye. Built from the evidence alone, so it is deterministic.
import Foundation

enum DrillSummaryText {
    static func render(_ evidence: DrillEvidence) -> String {
        ([headline(evidence), context(evidence)] + phases(evidence.phases) + checks(evidence.checks)
            + reasons(evidence.reasons)).joined(separator: "\n")
    }

    // MARK: - lines

    static func headline(_ evidence: DrillEvidence) -> String {
        let backup =
            evidence.backup.map { "on backup \($0.id) (\($0.selection)\(chainText($0)))" } ?? "without a backup"
        let rto = measurement("RTO", evidence.rtoSeconds, objective: evidence.objectives.rtoSeconds)
        var rpo = measurement("RPO", evidence.rpoSeconds, objective: evidence.objectives.rpoSeconds)
        if let point = evidence.recoveryPoint { rpo += " measured by \(methodText(point.method))" }
        return "DRILL \(verdictWord(evidence.verdict)): \(evidence.drill) \(backup) — \(rto), \(rpo)"
    }

    /// "; incremental, chain of 3" for an incremental: the drill proved the whole chain restores.
    private static func chainText(_ backup: DrillBackupRecord) -> String {
        guard backup.chain != nil else { return "" }
        return "; incremental, chain of \(backup.chainLength)"
    }

    private static func context(_ evidence: DrillEvidence) -> String {
        "run \(evidence.id) of cluster \(evidence.cluster); T0 \(DrillText.timestamp(evidence.incidentAt)); \(evidence.target)"
    }

    private static func phases(_ phases: [PhaseTiming]) -> [String] {
        guard !phases.isEmpty else { return ["phases: none recorded"] }
        let width = phases.map(\.name.count).max() ?? 0
        return ["phases:"] + phases.map { "  \(pad($0.name, width)) \(DrillText.seconds($0.seconds))" }
    }

    private static func checks(_ checks: [CheckOutcome]) -> [String] {
        guard !checks.isEmpty else { return ["checks: none ran"] }
        return ["checks:"]
            + checks.map { check in
                let mark = check.passed ? "✓ ok    " : "✗ FAILED"
                return
                    "  \(mark) \(check.name) (\(check.kind.rawValue), \(DrillText.seconds(check.seconds))): \(check.detail)"
            }
    }

    private static func reasons(_ reasons: [String]) -> [String] {
        reasons.isEmpty ? [] : ["reasons:"] + reasons.map { "  \($0)" }
    }

    // MARK: - words

    private static func verdictWord(_ verdict: DrillVerdict) -> String {
        switch verdict {
        case .passed: return "PASSED"
        case .failed: return "FAILED"
        case .error: return "ERROR"
        }
    }

    private static func measurement(_ label: String, _ seconds: Double?, objective: Double?) -> String {
        let value = seconds.map(DrillText.duration) ?? "not measured"
        let goal = objective.map { "objective \(DrillText.duration($0))" } ?? "no objective"
        return "\(label) \(value) (\(goal))"
    }

    private static func methodText(_ method: RecoveryPointMethod) -> String {
        switch method {
        case .heartbeat: return "heartbeat"
        case .lastReplayedTransaction: return "the last replayed transaction"
        case .backupConsistency: return "the backup's consistency point"
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
