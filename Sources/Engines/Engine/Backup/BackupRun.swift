// BackupRun: `lifeboat backup` as one engine step. The type asked for (else backup.type from the configuration)
// picks the engine: a logical backup dumps each database (LogicalBackup), a snapshot streams the whole cluster
// with its WAL (SnapshotBackup). Both commit the manifest last and return it.
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

    public init(
        kind: BackupKind?, databases: [String], label: String?, pinned: Bool, keepUntil: Date?,
        incremental: IncrementalMode = .configured
    ) {
        self.kind = kind
        self.databases = databases
        self.label = label
        self.pinned = pinned
        self.keepUntil = keepUntil
        self.incremental = incremental
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
            let logical = LogicalBackupRequest(
                databases: request.databases, label: request.label,
                pinned: request.pinned, keepUntil: request.keepUntil)
            return BackupOutcome(
                manifest: try LogicalBackup(context: context, repository: repository, keyring: keyring).run(logical))
        }
        guard request.databases.isEmpty else {
            throw EngineError.invalidArgument(
                "--database does not apply to snapshots (they hold the whole cluster)",
                hint: "drop --database")
        }
        let snapshot = SnapshotBackupRequest(
            label: request.label, pinned: request.pinned, keepUntil: request.keepUntil,
            incremental: request.incremental)
        return try SnapshotBackup(context: context, repository: repository, keyring: keyring).run(snapshot)
    }
}
