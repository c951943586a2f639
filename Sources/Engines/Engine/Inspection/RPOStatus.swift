// RPOStatus: `lifeboat status --json` (docs/json.md): the newest recoverable point against now and the objective.
import Catalog
import Foundation

public struct RPOStatus: Encodable, Sendable {
    public var cluster: String
    public var now: Date
    public var objectiveSeconds: Double
    /// Where the objective came from: "--rpo", "policy <name>" or "default".
    public var objectiveSource: String
    public var newestRecoverablePoint: Date?
    public var source: String?
    public var exposureSeconds: Double?
    /// ok | exceeded | nothing_recoverable
    public var status: String
    public var recoveryWindow: RecoverableWindow?
    public var newestBackup: String?
    /// With wal.async: the queue of segments waiting to be archived and the background pusher.
    public var walAsync: WALAsyncStatus?
    /// The WAL receiver's lag, when `wal receive` ever ran for the cluster.
    public var receiver: WALReceiverLag?
}
