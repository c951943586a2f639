// FleetClusterStatus: one cluster's row of `lifeboat status --all-clusters` (and one element of `clusters` in
// its --json, docs/json.md): the RPO exposure as `status` judges it for one cluster, the newest backup of each
// type, and the newest drill with its verdict.
import Catalog
import Drills
import Foundation

public struct FleetClusterStatus: Encodable, Sendable {
    public var cluster: String
    /// ok | exceeded | nothing_recoverable | error (the cluster could not be read: see `error`).
    public var status: String
    public var newestRecoverablePoint: Date?
    /// wal_archive | backup, as in `status --json`.
    public var source: String?
    public var exposureSeconds: Double?
    public var newestBackup: String?
    /// The newest complete backup of each type the cluster has, logical before snapshot.
    public var lastBackups: [LastBackup]
    public var lastDrill: LastDrill?
    /// Why the cluster could not be judged (status "error").
    public var error: String?
    /// The cluster's verdict, as `status` alone would decide it; the exit status is the worst of all rows.
    public var verdict: Verdict

    public struct LastBackup: Encodable, Sendable {
        public var kind: String
        public var id: String
        public var finishedAt: Date
        /// "full" or "incremental" (docs/format.md §6.5), as in `list`.
        public var type: String
    }

    public struct LastDrill: Encodable, Sendable {
        public var id: String
        public var drill: String
        public var at: Date
        /// passed | failed | error, as `drill list` shows it.
        public var verdict: String
    }

    enum CodingKeys: String, CodingKey {
        case cluster, status, newestRecoverablePoint, source, exposureSeconds, newestBackup, lastBackups, lastDrill,
            error
    }

    init(_ result: RPOStatusCheck.Result, drills: [DrillEvidence]) {
        let status = result.status
        cluster = status.cluster
        self.status = status.status
        newestRecoverablePoint = status.newestRecoverablePoint
        source = status.source
        exposureSeconds = status.exposureSeconds
        newestBackup = status.newestBackup
        lastBackups = BackupKind.allCases.compactMap { kind in
            result.manifests.filter { $0.kind == kind }.max { $0.finishedAt < $1.finishedAt }.map {
                LastBackup(
                    kind: kind.rawValue, id: $0.id.rawValue, finishedAt: $0.finishedAt,
                    type: $0.isIncremental ? "incremental" : "full")
            }
        }
        lastDrill = drills.max { $0.startedAt < $1.startedAt }.map {
            LastDrill(id: $0.id, drill: $0.drill, at: $0.startedAt, verdict: $0.verdict.rawValue)
        }
        verdict = result.verdict
    }

    /// A cluster whose backups, WAL or drill evidence could not be read: the error's own verdict.
    init(cluster: String, error: LifeboatError) {
        self.cluster = cluster
        status = "error"
        lastBackups = []
        self.error = error.message
        verdict = error.exitStatus == .integrity ? .integrityFailure : .error(error.exitStatus)
    }

    /// The newest backup of `kind`, if the cluster has one.
    public func lastBackup(_ kind: BackupKind) -> LastBackup? {
        lastBackups.first { $0.kind == kind.rawValue }
    }
}
