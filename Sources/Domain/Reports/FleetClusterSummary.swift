// FleetClusterSummary: one cluster's row in the fleet report — its verdict and the verdict per objective, the
// newest recovery point of the period, the worst RPO exposure, the newest backup per type and the newest drill.
// Every value is read off the cluster's own report and input, so the row cannot disagree with its section.
import Catalog
import Drills
import Foundation

public struct FleetClusterSummary: Codable, Sendable, Equatable {
    public var cluster: String
    public var verdict: OverallVerdict
    /// The report's objective verdicts, in its order (rpo, rto, drill_cadence, schedule, …).
    public var objectives: [FleetObjectiveStatus]
    /// The newest recovery point before the end of the period, counted as the report counts them (archived WAL
    /// inside a recoverable window, and finished backups); nil when there is none.
    public var newestRecoverablePoint: Date?
    public var worstExposureSeconds: Double?
    public var rpoObjectiveSeconds: Double?
    /// The newest complete backup of each type, finished before the end of the period.
    public var lastBackups: [FleetLastBackup]
    /// The newest drill run started before the end of the period.
    public var lastDrill: FleetLastDrill?

    init(report: ComplianceReport, input: ReportInput) {
        cluster = report.cluster
        verdict = report.verdict.status
        objectives = report.verdict.objectives.map { FleetObjectiveStatus(objective: $0.objective, status: $0.status) }
        let finishes = input.restorableBackups.map(\.finishedAt)
        newestRecoverablePoint = (input.recoverablePoints + finishes).filter { $0 < input.until }.max()
        worstExposureSeconds = report.coverage.worstExposureSeconds
        rpoObjectiveSeconds = report.objectives.rpoSeconds
        lastBackups = BackupKind.allCases.compactMap { kind in
            input.restorableBackups.filter { $0.kind == kind && $0.finishedAt < input.until }
                .max { $0.finishedAt < $1.finishedAt }
                .map { FleetLastBackup(kind: kind, id: $0.id, finishedAt: $0.finishedAt) }
        }
        lastDrill = input.drills.filter { $0.startedAt < input.until }.max { $0.startedAt < $1.startedAt }.map {
            FleetLastDrill(id: $0.id, drill: $0.drill, at: $0.startedAt, verdict: $0.verdict)
        }
    }

    /// The status of one objective ("rpo", "schedule", …), nil when the report has no such row.
    public func status(of objective: String) -> ObjectiveStatus? {
        objectives.first { $0.objective == objective }?.status
    }
}

public struct FleetObjectiveStatus: Codable, Sendable, Equatable {
    public var objective: String
    public var status: ObjectiveStatus
}

public struct FleetLastBackup: Codable, Sendable, Equatable {
    public var kind: BackupKind
    public var id: String
    public var finishedAt: Date
}

public struct FleetLastDrill: Codable, Sendable, Equatable {
    public var id: String
    public var drill: String
    public var at: Date
    public var verdict: DrillVerdict
}
