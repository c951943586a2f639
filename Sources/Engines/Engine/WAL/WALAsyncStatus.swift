// WALAsyncStatus: the asynchronous archiving queue and the background pusher, as `status` (text, --json) and the
// metrics show them. The queue is counted live from pg_wal/archive_status when this process can read it (status
// running as the PostgreSQL OS user or root on the database host), else taken from the pusher's last pusher.json.
import Catalog
import Foundation

#if canImport(Glibc)
import Glibc
#endif

public struct WALAsyncStatus: Encodable, Sendable {
    /// running | failing | stopped | dead (its state says running but the process is gone) | never_started
    public var pusher: String
    public var pid: Int32?
    public var spool: String
    /// nil when neither pg_wal nor a pusher state could be read.
    public var queue: WALQueue?
    /// "pg_wal" (counted now) or "pusher_state" (as of `updatedAt`).
    public var queueSource: String?
    public var updatedAt: Date?
    public var pushedSegments: Int?
    public var lastError: String?
    public var lastErrorAt: Date?
    /// Segments `wal push` dropped (wal.queue_max): reported archived, never archived. Empty without drops.
    public var dropped: [String] = []
}

extension WALAsyncSpool {
    public func inspect(now: Date) -> WALAsyncStatus {
        let state = self.state()
        var status = WALAsyncStatus(
            pusher: Self.pusherPhase(state), pid: state?.pid, spool: directory, queue: state?.queue,
            queueSource: state == nil ? nil : "pusher_state", updatedAt: state?.updatedAt,
            pushedSegments: state?.pushedSegments, lastError: state?.lastError, lastErrorAt: state?.lastErrorAt)
        status.dropped = dropped()
        if let pgWAL = state?.pgWal, let live = liveQueue(pgWAL: pgWAL, now: now) {
            (status.queue, status.queueSource) = (live, "pg_wal")
        }
        return status
    }

    static func pusherPhase(_ state: WALPusherState?) -> String {
        guard let state else { return "never_started" }
        guard state.phase != .stopped else { return "stopped" }
        let alive = kill(state.pid, 0) == 0 || errno == EPERM
        return alive ? state.phase.rawValue : "dead"
    }

    func liveQueue(pgWAL: String, now: Date) -> WALQueue? {
        let status = pgWAL + "/archive_status"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: status) else { return nil }
        let ready = WALReadyPlan.waiting(statusEntries: entries).map { entry -> WALQueue.Entry in
            let name = String(entry.dropLast(6))
            return WALQueue.Entry(
                name: name, size: Self.status(pgWAL + "/" + name)?.size,
                readySince: Self.status(status + "/" + entry)?.modified ?? now)
        }
        return WALQueue.summarize(ready, marked: Set(markers()), now: now)
    }

    /// lstat(2) directly, as FileManager's attributes do: the pusher counts the queue once a second, two files
    /// per waiting segment, and those attributes (owner names, a dictionary) cost 20 µs a file where this costs 1.
    private static func status(_ path: String) -> (size: Int64, modified: Date)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let modified = TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9
        return (Int64(info.st_size), Date(timeIntervalSince1970: modified))
    }
}
