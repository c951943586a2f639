// BackupSettings: what `lifeboat backup` takes when the command line does not say.

/// The kind of backup: a logical dump per database, or a physical snapshot of the cluster (base backup + WAL).
public enum BackupTypeSetting: String, Sendable, Equatable, Codable, CaseIterable {
    case logical
    case snapshot
}

public struct BackupSettings: Sendable, Equatable, Codable {
    public var type: BackupTypeSetting
    /// Databases for logical backups; empty means every database that is not a template.
    public var databases: [String]

    public init(type: BackupTypeSetting = .logical, databases: [String] = []) {
        self.type = type
        self.databases = databases
    }
}
