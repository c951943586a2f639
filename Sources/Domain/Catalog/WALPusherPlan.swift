// WALPusherPlan: the background pusher's decisions (asynchronous archiving, docs/format.md §8.6), pure: which
// `.ready` segments to push next, when a failed one is tried again, which markers have served their purpose,
// and the queue `status` reports. Names, times and sizes in; names and numbers out.
import Foundation

public enum WALPusherPlan {
    /// Plain segments with `archive_status/<name>.ready`, oldest first, that have no marker yet, are not being
    /// pushed, and are not waiting out the back-off of an earlier failure (`retryAt` later than `now`).
    /// PostgreSQL archives oldest first, so its archive_command waits on the head of this list.
    public static func pending(
        statusEntries: [String], marked: Set<String>, inFlight: Set<String>, retryAt: [String: Date], now: Date
    ) -> [WALName] {
        readySegments(statusEntries).filter { name in
            !marked.contains(name.rawValue) && !inFlight.contains(name.rawValue)
                && (retryAt[name.rawValue].map { $0 <= now } ?? true)
        }
    }

    /// Markers whose segment no longer waits (no `.ready`): PostgreSQL's archive_command has succeeded for it
    /// (or the file left pg_wal), so the marker can answer nothing any more.
    public static func servedMarkers(markers: [String], statusEntries: [String]) -> [String] {
        let ready = Set(readySegments(statusEntries).map(\.rawValue))
        return markers.filter { WALName($0)?.kind == .segment && !ready.contains($0) }.sorted()
    }

    /// wal.queue_max: a segment without a marker is dropped only when the WAL waiting in pg_wal (this segment
    /// included) is more than the configured maximum.
    public static func shouldDrop(waitingBytes: Int64, queueMax: Int64) -> Bool { waitingBytes > queueMax }

    /// Seconds before a segment whose push failed `failures` times (≥ 1) is tried again: 1, 2, 4… capped at 30,
    /// so an unreachable repository is probed every 30 s and not in a tight loop.
    public static func backoff(failures: Int) -> TimeInterval {
        min(30, pow(2, Double(max(0, min(failures, 16) - 1))))
    }

    static func readySegments(_ statusEntries: [String]) -> [WALName] {
        statusEntries.compactMap { entry -> WALName? in
            guard entry.hasSuffix(".ready"), let name = WALName(String(entry.dropLast(6))), name.kind == .segment
            else { return nil }
            return name
        }.sorted()
    }
}

/// What waits to be archived asynchronously: `.ready` WAL files PostgreSQL has not been told are archived
/// (every kind: history and backup history files go through archive_command itself), their bytes, and the age of
/// the oldest; `marked` of them are archived by the pusher already and wait only for PostgreSQL's call.
public struct WALQueue: Codable, Sendable, Equatable {
    public var segments: Int
    public var bytes: Int64
    public var oldestWaitingSeconds: Double
    public var archivedAwaitingPostgres: Int

    public init(segments: Int, bytes: Int64, oldestWaitingSeconds: Double, archivedAwaitingPostgres: Int) {
        self.segments = segments
        self.bytes = bytes
        self.oldestWaitingSeconds = oldestWaitingSeconds
        self.archivedAwaitingPostgres = archivedAwaitingPostgres
    }

    /// One `.ready` file: its WAL name, the file's size (nil when it vanished) and when it became ready.
    public struct Entry: Sendable {
        public var name: String
        public var size: Int64?
        public var readySince: Date

        public init(name: String, size: Int64?, readySince: Date) {
            self.name = name
            self.size = size
            self.readySince = readySince
        }
    }

    /// The queue from the `.ready` files: those the pusher has not archived yet count as waiting.
    public static func summarize(_ entries: [Entry], marked: Set<String>, now: Date) -> WALQueue {
        let waiting = entries.filter { !marked.contains($0.name) }
        let oldest = waiting.map(\.readySince).min()
        return WALQueue(
            segments: waiting.count, bytes: waiting.reduce(0) { $0 + ($1.size ?? 0) },
            oldestWaitingSeconds: oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0,
            archivedAwaitingPostgres: entries.count - waiting.count)
    }
}
