// WALReceiverState: what `wal receive` last committed and how far behind the server it was (docs/format.md §8.7),
// the small sealed record `status` reads for the receiver's lag instead of a partial segment.
import Foundation

public struct WALReceiverState: Codable, Sendable, Equatable {
    public static let currentFormat = 1

    public var formatVersion: Int
    public var cluster: String
    public var slot: String
    public var timeline: UInt32
    /// Everything before this position is in the repository (full segments and the newest partial): the
    /// flush position the receiver acknowledged.
    public var committedLsn: String
    /// The server's end of WAL, as its last message said.
    public var serverLsn: String
    /// The newest time at which the server had written nothing the repository lacks (committed ≥ the server's
    /// end of WAL then): data written on the server up to here survives losing it. Nil until that happened once.
    public var caughtUpAt: Date?
    public var updatedAt: Date
    public var tool: ToolInfo

    public init(
        cluster: String, slot: String, timeline: UInt32, committedLsn: String, serverLsn: String, caughtUpAt: Date?,
        updatedAt: Date, tool: ToolInfo
    ) {
        formatVersion = Self.currentFormat
        self.cluster = cluster
        self.slot = slot
        self.timeline = timeline
        self.committedLsn = committedLsn
        self.serverLsn = serverLsn
        self.caughtUpAt = caughtUpAt
        self.updatedAt = updatedAt
        self.tool = tool
    }

    /// Bytes of WAL the server had that the repository lacked, when the state was written.
    public var lagBytes: UInt64 {
        guard let committed = LSN(committedLsn), let server = LSN(serverLsn), server > committed else { return 0 }
        return server.value - committed.value
    }

    /// Seconds between `now` and the newest point the repository is known to hold all WAL of; nil before the
    /// receiver first caught up.
    public func lagSeconds(now: Date) -> Double? {
        caughtUpAt.map { max(0, now.timeIntervalSince($0)) }
    }
}

extension WALReceiverState {
    /// The newest point a restore reaches through the receiver's WAL when it continues `window`: the receiver
    /// committed on the window's timeline up to a position in the window's last segment or the one after it (its
    /// partial), so recovery replays the window and then the partial. Nil when it does not continue the window
    /// (another timeline, a gap) or never caught up.
    public func recoverablePoint(continuing window: RecoverableWindow, segmentSize: Int64) -> Date? {
        guard let caughtUpAt, timeline == window.timeline, segmentSize > 0, let committed = LSN(committedLsn),
            let last = WALName(window.toWal)?.segmentNumber(segmentSize: UInt64(segmentSize))
        else { return nil }
        let segment = committed.value == 0 ? 0 : (committed.value - 1) / UInt64(segmentSize)
        guard segment <= last + 1 else { return nil }
        return max(caughtUpAt, window.toTime)
    }
}
