// DrillVerdictRules: turns check outcomes and measured RPO/RTO into passed, failed or error with reasons.
// An objective that exists but could not be measured is a failure: a drill that cannot show it met its
// objective has not proved it.
import Foundation

enum DrillVerdictRules {
    static func assess(
        checks: [CheckOutcome], rtoSeconds: Double?, rpoSeconds: Double?,
        objectives: ObjectivesRecord, failure: String?
    ) -> (DrillVerdict, [String]) {
        let failedChecks = checks.filter { !$0.passed }.map(checkFailure)
        if let failure { return (.error, [failure] + failedChecks) }
        let misses =
            failedChecks
            + [
                miss("RTO", measured: rtoSeconds, objective: objectives.rtoSeconds),
                miss("RPO", measured: rpoSeconds, objective: objectives.rpoSeconds),
            ].compactMap { $0 }
        guard misses.isEmpty else { return (.failed, misses) }
        return (
            .passed,
            [
                checksPassed(checks.count),
                met("RTO", measured: rtoSeconds, objective: objectives.rtoSeconds),
                met("RPO", measured: rpoSeconds, objective: objectives.rpoSeconds),
            ]
        )
    }

    static func checkFailure(_ check: CheckOutcome) -> String {
        "check '\(check.name)' failed: \(check.detail)"
    }

    /// Why `label` misses its objective, or nil when it meets it or has none.
    private static func miss(_ label: String, measured: Double?, objective: Double?) -> String? {
        guard let objective else { return nil }
        guard let measured else { return "\(label) could not be measured (objective \(DrillText.duration(objective)))" }
        guard measured > objective else { return nil }
        return "\(label) \(DrillText.duration(measured)) exceeds the objective \(DrillText.duration(objective))"
    }

    private static func met(_ label: String, measured: Double?, objective: Double?) -> String {
        switch (measured, objective) {
        case (let measured?, let objective?):
            return "\(label) \(DrillText.duration(measured)) ≤ \(DrillText.duration(objective))"
        case (let measured?, nil): return "\(label) \(DrillText.duration(measured)) (no objective)"
        default: return "\(label) not measured (no objective)"
        }
    }

    private static func checksPassed(_ count: Int) -> String {
        count == 0 ? "no checks defined; the restore itself succeeded" : "every check passed (\(count))"
    }
}
