// DrillDueRules: which drills must run again. A drill counts as done only by a passed run: a failed or
// errored last run leaves the organisation without proof, so it is due at once whatever its cadence.
import Foundation
import Policy

enum DrillDueRules {
    static func statuses(definitions: [DrillDefinition], evidence: [DrillEvidence], now: Date) -> [DrillDueStatus] {
        let names = Set(definitions.map(\.name)).union(evidence.map(\.drill)).sorted()
        return names.map { name in
            let runs = evidence.filter { $0.drill == name }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
            let cadence = definitions.first { $0.name == name }?.cadence ?? runs.last?.cadenceSeconds
            return status(drill: name, runs: runs, cadence: cadence, now: now)
        }
    }

    /// `runs` oldest first.
    private static func status(drill: String, runs: [DrillEvidence], cadence: Double?, now: Date) -> DrillDueStatus {
        let last = runs.last
        let lastPassed = runs.last(where: { $0.verdict == .passed })
        let dueAt = both(lastPassed?.startedAt, cadence).map { $0.addingTimeInterval($1) }
        let (due, reason) = judge(last: last, lastPassed: lastPassed, cadence: cadence, dueAt: dueAt, now: now)
        return DrillDueStatus(
            drill: drill, cadenceSeconds: cadence, lastRun: last?.startedAt, lastVerdict: last?.verdict,
            dueAt: dueAt, due: due, reason: reason)
    }

    private static func judge(
        last: DrillEvidence?, lastPassed: DrillEvidence?, cadence: Double?, dueAt: Date?,
        now: Date
    ) -> (Bool, String) {
        guard let last else { return (true, "never run") }
        let when = DrillText.timestamp(last.startedAt)
        switch last.verdict {
        case .failed: return (true, "last run \(when) failed")
        case .error: return (true, "last run \(when) could not finish")
        case .passed: break
        }
        guard let cadence, let dueAt else { return (false, "passed \(when); no cadence") }
        let every = DrillText.duration(cadence)
        guard now < dueAt else {
            return (true, "last passed \(when); cadence \(every) lapsed \(DrillText.timestamp(dueAt))")
        }
        return (false, "passed \(when); next due \(DrillText.timestamp(dueAt)) (cadence \(every))")
    }

    private static func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
        guard let a, let b else { return nil }
        return (a, b)
    }
}
