// IncrementalSettings: when a snapshot may be incremental (`backup.incremental`). A snapshot builds on the newest
// usable snapshot unless the chain's full snapshot is older than `full_every` or the chain already has `max_chain`
// incrementals; then it is a full one. With the section present every snapshot decides this way; without it
// snapshots are full unless `backup --incremental` asks, which uses these defaults.
import Foundation

public struct IncrementalSettings: Sendable, Equatable, Codable {
    public static let defaultFullEvery: TimeInterval = 7 * 86400
    public static let defaultMaxChain = 14

    /// A full snapshot is taken when the chain's full one started this long ago or more.
    public var fullEvery: TimeInterval
    /// The most incrementals on one full snapshot: a restore reads at most `maxChain + 1` backups.
    public var maxChain: Int

    public init(fullEvery: TimeInterval = Self.defaultFullEvery, maxChain: Int = Self.defaultMaxChain) {
        self.fullEvery = fullEvery
        self.maxChain = maxChain
    }
}
