// DrillAssessment: the pure decisions of a drill — the verdict and its reasons from checks, measured RPO/RTO
// and objectives; which backup to restore; which drills are due; the readable summary.
import Catalog
import Foundation
import Policy

public enum DrillAssessment {
    /// passed / failed (a check failed or an objective was missed) with the reasons; `error` when `failure` is set.
    public static func verdict(
        checks: [CheckOutcome], rtoSeconds: Double?, rpoSeconds: Double?,
        objectives: ObjectivesRecord, failure: String?
    ) -> (DrillVerdict, [String]) {
        DrillVerdictRules.assess(
            checks: checks, rtoSeconds: rtoSeconds, rpoSeconds: rpoSeconds,
            objectives: objectives, failure: failure)
    }

    /// The backup to restore among `candidates` (complete backups of the drill's kind, any order).
    /// `random` picks an index in 0..<count. Throws nothing: nil when no candidate fits, with the reason.
    public static func selectBackup(
        _ choice: DrillBackupChoice, candidates: [BackupManifest], now: Date,
        random: (Int) -> Int
    ) -> (BackupManifest?, String) {
        DrillBackupSelection.select(choice, candidates: candidates, now: now, random: random)
    }

    /// Objectives: the drill's own, else the policy's, with where each came from.
    public static func objectives(drill: DrillDefinition, policy: RetentionPolicy?) -> ObjectivesRecord {
        let rpo = pick(drill.objectives.rpo, policy?.objectives.rpo, drill: drill.name, policy: policy?.name)
        let rto = pick(drill.objectives.rto, policy?.objectives.rto, drill: drill.name, policy: policy?.name)
        return ObjectivesRecord(
            rpoSeconds: rpo.value, rtoSeconds: rto.value, rpoSource: rpo.source, rtoSource: rto.source)
    }

    /// Readable multi-line summary of a run (what `drill run` prints at the end).
    public static func summary(_ evidence: DrillEvidence) -> String {
        DrillSummaryText.render(evidence)
    }

    /// One objective: the drill's value wins over the policy's, so a smoke drill can hold itself to less.
    private static func pick(_ own: Double?, _ inherited: Double?, drill: String, policy: String?) -> (
        value: Double?, source: String
    ) {
        if let own { return (own, "drill \(drill)") }
        if let inherited, let policy { return (inherited, "policy \(policy)") }
        return (nil, "none")
    }
}

/// One drill's standing for `drill due`.
public struct DrillDueStatus: Codable, Sendable, Equatable {
    public var drill: String
    public var cadenceSeconds: Double?
    public var lastRun: Date?
    public var lastVerdict: DrillVerdict?
    /// When the next run is due (last passed run + cadence); nil when never run or without cadence.
    public var dueAt: Date?
    public var due: Bool
    public var reason: String
    public init(
        drill: String, cadenceSeconds: Double?, lastRun: Date?, lastVerdict: DrillVerdict?, dueAt: Date?, due: Bool,
        reason: String
    ) {
        self.drill = drill
        self.cadenceSeconds = cadenceSeconds
        self.lastRun = lastRun
        self.lastVerdict = lastVerdict
        self.dueAt = dueAt
        self.due = due
        self.reason = reason
    }
}

extension DrillAssessment {
    /// For each drill (the definitions given, plus every drill name found in the evidence): due when it has
    /// never passed, or its last passed run is older than its cadence. The cadence comes from the definition,
    /// else from the newest evidence of that drill.
    /// Sorted by drill name.
    public static func due(definitions: [DrillDefinition], evidence: [DrillEvidence], now: Date) -> [DrillDueStatus] {
        DrillDueRules.statuses(definitions: definitions, evidence: evidence, now: now)
    }
}
