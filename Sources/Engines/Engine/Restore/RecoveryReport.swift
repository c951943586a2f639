// RecoveryReport: where recovery stopped, as the restored server itself reports it.
public struct RecoveryReport: Codable, Sendable {
    public var inRecovery: Bool
    public var timeline: Int?
    public var lastReplayedLsn: String?
    public var lastReplayedTransactionAt: String?
    public var serverLog: [String]
}
