// BackupSettings: what `lifeboat backup` takes when the command line does not say.
import Policy

public struct BackupSettings: Sendable, Equatable, Codable {
    public var type: BackupTypeSetting
    /// Databases for logical backups; empty means every database that is not a template.
    public var databases: [String]
    /// Set when snapshots decide by themselves between full and incremental (`backup.incremental`).
    public var incremental: IncrementalSettings?

    public init(type: BackupTypeSetting = .logical, databases: [String] = [], incremental: IncrementalSettings? = nil) {
        self.type = type
        self.databases = databases
        self.incremental = incremental
    }
}
