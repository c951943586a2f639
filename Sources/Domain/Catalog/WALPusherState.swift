// WALPusherState: what the background pusher of asynchronous archiving says about itself in
// `<spool_dir>/<cluster>/pusher.json` (docs/format.md §8.6), rewritten at most once a second while it runs and
// once when it stops. Local and informational: `status` and the metrics read it; nothing's safety depends on it.
import Foundation

public struct WALPusherState: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable {
        /// segments are being pushed, or the pusher waits for new ones
        case running
        /// pushes fail (the repository is unreachable, a key is wrong…): `lastError` says why
        case failing
        /// the pusher exited (idle, or pg_wal went away)
        case stopped
    }

    public var pid: Int32
    public var phase: Phase
    /// The pg_wal directory it archives from (absolute).
    public var pgWal: String
    public var startedAt: Date
    public var updatedAt: Date
    public var queue: WALQueue
    /// Segments and bytes this pusher archived since it started.
    public var pushedSegments: Int
    public var pushedBytes: Int64
    public var lastPushed: String?
    public var lastError: String?
    public var lastErrorAt: Date?

    public init(
        pid: Int32, phase: Phase, pgWal: String, startedAt: Date, updatedAt: Date, queue: WALQueue,
        pushedSegments: Int = 0, pushedBytes: Int64 = 0, lastPushed: String? = nil, lastError: String? = nil,
        lastErrorAt: Date? = nil
    ) {
        self.pid = pid
        self.phase = phase
        self.pgWal = pgWal
        self.startedAt = startedAt
        self.updatedAt = updatedAt
        self.queue = queue
        self.pushedSegments = pushedSegments
        self.pushedBytes = pushedBytes
        self.lastPushed = lastPushed
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }
}
