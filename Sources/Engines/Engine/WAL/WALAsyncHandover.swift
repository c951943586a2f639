// WALAsyncHandover: `wal push` with wal.async (docs/format.md §8.6). PostgreSQL's archive_command for a plain
// segment succeeds when the background pusher's marker in the spool matches the file (size and SHA-256 of the
// bytes PostgreSQL hands over now, or the unchanged identity of the file the pusher hashed: WALFileIdentity):
// the record committing exactly those bytes exists, because the pusher writes a marker only after the commit.
// No key is unwrapped and the repository is not opened on this path. Without a
// marker it makes sure a pusher runs and waits for the marker; a push error the pusher records for the segment
// after this call began, or the timeout, fails the call (PostgreSQL keeps the segment and retries).
//
// The marker stays after a success: PostgreSQL may lose this process's answer (a crash, a SIGKILL) and ask again;
// the pusher removes it once the segment's `.ready` is gone. History, backup history and .partial files, and a
// file that does not match its marker, are not handled here: the caller pushes them synchronously, and for a
// mismatch the record decides (the same file succeeds, another is refused).
//
// Only with wal.queue_max: when the segment has no marker and the WAL waiting in pg_wal (not archived by the pusher)
// exceeds it, the segment is dropped — recorded durably in the spool's `dropped/`, logged as an error, and reported
// archived so PostgreSQL can recycle it and the primary's disk does not fill. The archive then has a gap there,
// which `list`, `verify --wal`, `report` and restores see as any gap, and `status` and the metrics name.
import Catalog
import Diagnostics
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#endif

public struct WALAsyncHandover {
    let spool: WALAsyncSpool
    let logger: Logger
    let timeout: Int
    let queueMax: Int?

    public init(spool: WALAsyncSpool, logger: Logger, timeout: Int, queueMax: Int? = nil) {
        self.spool = spool
        self.logger = logger
        self.timeout = timeout
        self.queueMax = queueMax
    }

    /// The result when the pusher archived the file at `path`; nil when the caller must push it synchronously.
    /// `startPusher` spawns a pusher for this pg_wal; it is called when none holds the spool's lock.
    public func await(path: String, startPusher: () throws -> Void) throws -> WALPushResult? {
        let started = Date()
        guard let name = WALName(fileAt: path), name.kind == .segment else { return nil }
        try spool.prepare()
        if spool.marker(name) == nil, let dropped = try dropIfOverQueueMax(path: path, name: name, started: started) {
            return dropped
        }
        var probed = Date.distantPast
        while true {
            if let marker = spool.marker(name) {
                return try confirm(marker, path: path, name: name, started: started)
            }
            let now = Date()
            if let failure = spool.error(name), failure.at >= started {
                throw WALError.asyncPushFailed(name: name.rawValue, reason: failure.message)
            }
            if now.timeIntervalSince(started) >= Double(timeout) {
                throw WALError.asyncTimedOut(
                    name: name.rawValue, seconds: timeout, reason: lastError(name, since: started))
            }
            if now.timeIntervalSince(probed) >= 1 {
                probed = now
                if !spool.pusherIsRunning() { try startPusher() }
            }
            usleep(10_000)
        }
    }

    /// Drops the segment when wal.queue_max is set and the WAL waiting to be archived exceeds it.
    private func dropIfOverQueueMax(path: String, name: WALName, started: Date) throws -> WALPushResult? {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        guard let queueMax, let queue = spool.liveQueue(pgWAL: directory, now: started),
            WALPusherPlan.shouldDrop(waitingBytes: queue.bytes, queueMax: Int64(queueMax))
        else { return nil }
        let file = try WALSourceFile(path: path)
        defer { file.close() }
        let reason =
            "\(queue.bytes >> 20) MiB of WAL waited to be archived, more than wal.queue_max (\(queueMax >> 20) MiB)"
            + (lastError(name, since: .distantPast).map { "; the pusher's last error: \($0)" } ?? "")
        try Failpoint.hit("wal.async.drop.before")
        try spool.recordDrop(name, size: file.size, reason: reason, at: started)
        let message =
            "WAL segment \(name) DROPPED, NOT ARCHIVED: \(reason). The archive has a gap at \(name): no restore can "
            + "recover past it until a new snapshot is taken; the drop is recorded in \(spool.droppedDirectory)"
        logger.error("\(message)")
        var result = WALPushResult(
            name: name.rawValue, object: "", size: file.size, storedSize: nil, sha256: "", alreadyArchived: false,
            seconds: Date().timeIntervalSince(started))
        result.dropped = true
        return result
    }

    /// The pusher's error for this segment, else its general one (it could not open the repository), when it
    /// happened during this call.
    private func lastError(_ name: WALName, since started: Date) -> String? {
        if let failure = spool.error(name) { return failure.message }
        guard let state = spool.state(), let at = state.lastErrorAt, at >= started else { return nil }
        return state.lastError
    }

    /// Success only for a file with the marker's size and SHA-256; a mismatch removes the marker (nil: push it).
    /// A file whose identity is exactly the one the pusher recorded is that file, unchanged (format.md §8.6):
    /// its SHA-256 is not computed again.
    private func confirm(_ marker: WALPushMarker, path: String, name: WALName, started: Date) throws -> WALPushResult? {
        let file = try WALSourceFile(path: path)
        defer { file.close() }
        let unchanged = marker.identity != nil && marker.identity == file.identity
        guard marker.size == file.size, try unchanged || file.sha256() == marker.sha256 else {
            logger.warning(
                "a push marker does not match the file; archiving it synchronously", metadata: ["wal": "\(name)"])
            spool.removeMarker(name.rawValue)
            return nil
        }
        try Failpoint.hit("wal.async.confirm.after")
        logger.info(
            "wal file archived by the background pusher",
            metadata: ["wal": "\(name)", "matched": unchanged ? "identity" : "sha256"])
        return WALPushResult(
            name: name.rawValue, object: marker.object ?? "", size: file.size, storedSize: nil, sha256: marker.sha256,
            alreadyArchived: true, seconds: Date().timeIntervalSince(started))
    }
}
