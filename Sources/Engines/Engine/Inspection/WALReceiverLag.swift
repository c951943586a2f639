// WALReceiverLag: what `status` says about `wal receive`, read from its state record (docs/format.md §8.7):
// how far behind the server the repository was when the receiver last committed, and how old the newest point
// it holds all WAL of is now.
import Catalog
import Foundation
import Storage

public struct WALReceiverLag: Codable, Sendable, Equatable {
    public var slot: String
    public var timeline: UInt32
    public var committedLsn: String
    public var serverLsn: String
    /// Bytes the server had that the repository lacked, at `updated_at`.
    public var lagBytes: UInt64
    /// Now minus `caught_up_at`; nil before the receiver first caught up.
    public var lagSeconds: Double?
    public var caughtUpAt: Date?
    /// When the receiver last wrote its state: a receiver that stopped shows an old time here.
    public var updatedAt: Date
    public var host: String

    /// The state of `cluster`'s receiver, nil when none ever ran. A record that is not this cluster's is damage.
    static func read(repository: Repository, keyring: Keyring, cluster: String, now: Date) throws
        -> (WALReceiverLag, WALReceiverState)?
    {
        let key = try ObjectKey(RepositoryLayout.walReceiverState(cluster))
        let bytes: [UInt8]
        do {
            bytes = try repository.getSealed(key, lookup: keyring.lookup)
        } catch StoreError.notFound {
            return nil
        }
        guard let state = try? CatalogCoding.decoder().decode(WALReceiverState.self, from: Data(bytes)),
            state.cluster == cluster
        else {
            throw WALError.recordMismatch(key: key.rawValue, detail: "it is not the receiver state of '\(cluster)'")
        }
        let lag = WALReceiverLag(
            slot: state.slot, timeline: state.timeline, committedLsn: state.committedLsn, serverLsn: state.serverLsn,
            lagBytes: state.lagBytes, lagSeconds: state.lagSeconds(now: now), caughtUpAt: state.caughtUpAt,
            updatedAt: state.updatedAt, host: state.tool.host)
        return (lag, state)
    }
}
