// LifeboatConfig: the validated, effective contents of lifeboat.yml, with defaults applied and relative
// paths resolved. Commands receive this value; nothing else reads the file. Encoding it (for `--json`) and
// printing it never reveal the postgres password.

public struct LifeboatConfig: Sendable, Equatable, Codable {
    /// The name of this cluster inside the repository.
    public var cluster: String
    public var postgres: PostgresSettings
    public var repository: RepositorySettings
    public var encryption: EncryptionSettings
    public var compression: CompressionSettings
    public var backup: BackupSettings
    public var wal: WALSettings
    public var restore: RestoreSettings
    /// The retention/drill policy file, absolute; nil when the configuration names none.
    public var policyPath: String?
    /// The configuration file this was read from (absolute when loaded with `ConfigLoader.load`).
    public var sourcePath: String

    public init(
        cluster: String,
        postgres: PostgresSettings,
        repository: RepositorySettings,
        encryption: EncryptionSettings,
        compression: CompressionSettings = CompressionSettings(),
        backup: BackupSettings = BackupSettings(),
        wal: WALSettings = WALSettings(),
        restore: RestoreSettings = RestoreSettings(),
        policyPath: String? = nil,
        sourcePath: String
    ) {
        self.cluster = cluster
        self.postgres = postgres
        self.repository = repository
        self.encryption = encryption
        self.compression = compression
        self.backup = backup
        self.wal = wal
        self.restore = restore
        self.policyPath = policyPath
        self.sourcePath = sourcePath
    }

    /// True when `postgres.url` carries a password; the CLI warns that it belongs in PGPASSWORD or ~/.pgpass.
    public var postgresURLHasPassword: Bool { postgres.urlHasPassword }

    enum CodingKeys: String, CodingKey {
        case cluster, postgres, repository, encryption, compression, backup, wal, restore
        case policyPath = "policy"
        case sourcePath = "source_path"
    }
}
