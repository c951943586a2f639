// DrillSchedule: `lifeboat drill due`: the drills recorded in the repository plus the drill files given (so a
// drill that never ran counts too), each against its cadence. Any drill due is an objective not met (exit 3).
import Configuration
import Drills
import Foundation
import Policy

public struct DrillSchedule {
    let catalog: BackupCatalog

    public struct Report: Sendable {
        public let statuses: [DrillDueStatus]
        public var due: [DrillDueStatus] { statuses.filter(\.due) }
        public var verdict: Verdict { due.isEmpty ? .passed : .objectiveNotMet }
    }

    public init(catalog: BackupCatalog) {
        self.catalog = catalog
    }

    public func due(definitions: [DrillDefinition], now: Date) throws -> Report {
        let evidence = try DrillRunner.evidence(catalog)
        return Report(statuses: DrillAssessment.due(definitions: definitions, evidence: evidence, now: now))
    }
}
