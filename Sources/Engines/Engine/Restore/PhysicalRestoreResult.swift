// PhysicalRestoreResult: what a snapshot restore did (`restore --data-dir --json`, docs/json.md).
public struct PhysicalRestoreResult: Codable, Sendable {
    public var plan: PhysicalRestoreSummary
    public var seconds: Double
    public var bytesExtracted: Int64
    public var files: Int
    public var started: Bool
    public var port: Int?
    public var recovery: RecoveryReport?
    /// The private directory holding restore_command's passphrase or S3 credentials, while it remains (it is
    /// removed once the server is seen promoted); nil when none was needed.
    public var credentialsDirectory: String?
    /// What was read from and written for each backup of an incremental's chain, newest first; absent for a full.
    public var chain: [RestoredChainLink]?
}
