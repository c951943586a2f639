// BackupRun: `lifeboat backup` as one engine step. The type asked for (else backup.type from the configuration)
// picks the engine: a logical backup dumps each database (LogicalBackup), a snapshot streams the whole cluster
// with its WAL (SnapshotBackup), from the primary or, when asked (--from-standby, backup.from_standby), from the
// standby in postgres.standby_url. Both commit the manifest last and return it.
import Catalog
import Foundation

public struct BackupRequest: Sendable {
    /// nil: backup.type from the configuration.
    public var kind: BackupKind?
    /// Databases to dump (logical only); empty means every non-template database.
    public var databases: [String]
    public var label: String?
    public var pinned: Bool
    public var keepUntil: Date?
    /// Snapshots only: full, incremental, or as `backup.incremental` decides.
    public var incremental: IncrementalMode
    /// pg_dump workers per database (logical only); nil: backup.jobs from the configuration.
    public var jobs: Int?
    /// Snapshots only: true reads the data from postgres.standby_url; false: backup.from_standby decides.
    public var fromStandby: Bool

    public init(
        kind: BackupKind?, databases: [String], label: String?, pinned: Bool, keepUntil: Date?,
        incremental: IncrementalMode = .configured, jobs: Int? = nil, fromStandby: Bool = false
    ) {
        self.fromStandby = fromStandby
        self.kind = kind
        self.databases = databases
        self.label = label
        self.pinned = pinned
        self.keepUntil = keepUntil
        self.incremental = incremental
        self.jobs = jobs
    }
}

public struct BackupRun {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
    }

    public func run(_ request: BackupRequest) throws -> BackupOutcome {
        let kind = request.kind?.rawValue ?? context.config.backup.type.rawValue
        guard kind == BackupKind.snapshot.rawValue else {
            guard request.incremental == .configured else {
                throw EngineError.invalidArgument(
                    "--incremental and --full apply to snapshots only", hint: "add --type snapshot")
            }
            // backup.from_standby is about snapshots: logical backups read the primary whatever it says.
            guard !request.fromStandby else {
                throw EngineError.invalidArgument(
                    "--from-standby applies to snapshots only (logical backups read the primary)",
                    hint: "add --type snapshot, or drop --from-standby")
            }
            let logical = LogicalBackupRequest(
                databases: request.databases, label: request.label,
                pinned: request.pinned, keepUntil: request.keepUntil, jobs: request.jobs)
            return BackupOutcome(
                manifest: try LogicalBackup(context: context, repository: repository, keyring: keyring).run(logical))
        }
        guard request.jobs == nil else {
            throw EngineError.invalidArgument(
                "--jobs does not apply to snapshots (BASE_BACKUP is one stream)", hint: "drop --jobs")
        }
        guard request.databases.isEmpty else {
            throw EngineError.invalidArgument(
                "--database does not apply to snapshots (they hold the whole cluster)",
                hint: "drop --database")
        }
        let snapshot = SnapshotBackupRequest(
            label: request.label, pinned: request.pinned, keepUntil: request.keepUntil,
            incremental: request.incremental, fromStandby: request.fromStandby || context.config.backup.fromStandby)
        return try SnapshotBackup(context: context, repository: repository, keyring: keyring).run(snapshot)
    }
}
