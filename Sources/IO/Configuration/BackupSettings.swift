// BackupSettings: what `lifeboat backup` takes when the command line does not say.
import Policy

public struct BackupSettings: Sendable, Equatable, Codable {
    public var type: BackupTypeSetting
    /// Databases for logical backups; empty means every database that is not a template.
    public var databases: [String]

    public init(type: BackupTypeSetting = .logical, databases: [String] = []) {
        self.type = type
        self.databases = databases
    }
}
