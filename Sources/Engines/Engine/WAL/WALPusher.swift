// WALPusher: the background pusher of asynchronous archiving (`wal pusher`, hidden; started on demand by
// `wal push` with wal.async, docs/format.md §8.6). One per cluster, under the spool's flock. It unlocks the
// keyring and opens the store once, then archives the `.ready` segments of pg_wal oldest first on
// wal.push_parallel threads, each exactly as `wal push` would (WALArchive.push: the same sealing, record and
// exclusive create), and writes a segment's marker only after its record is committed. PostgreSQL's own
// archive_command call then only compares the file with the marker. It exits once nothing has waited for
// `idleExit` seconds; the next `wal push` that finds no marker starts it again.
//
// Nothing PostgreSQL is told rests on this process surviving: a marker appears only after the commit, and the
// archive_command reports success only for a file matching one. A pusher killed at any point leaves at most a
// committed segment without a marker (the next pusher pushes it again: step 3 of §8.4 finds the record and
// writes the marker), or an object no record names (prune removes it).
import Catalog
import Diagnostics
import Foundation
import Logging
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public final class WALPusher: @unchecked Sendable {  // mutable state only under `condition`
    let archive: WALArchive
    let spool: WALAsyncSpool
    let pgWAL: String
    let parallel: Int
    let idleExit: TimeInterval
    var logger: Logger { archive.context.logger }

    private let condition = NSCondition()
    private var queue: [WALName] = []
    private var inFlight: Set<String> = []
    private var failures: [String: Int] = [:]
    private var retryAt: [String: Date] = [:]
    private var stopping = false
    private var state: WALPusherState

    public init(archive: WALArchive, spool: WALAsyncSpool, pgWAL: String, parallel: Int, idleExit: TimeInterval = 10) {
        self.archive = archive
        self.spool = spool
        self.pgWAL = pgWAL
        self.parallel = max(1, parallel)
        self.idleExit = idleExit
        let now = Date()
        state = WALPusherState(
            pid: getpid(), phase: .running, pgWal: pgWAL, startedAt: now, updatedAt: now,
            queue: WALQueue(segments: 0, bytes: 0, oldestWaitingSeconds: 0, archivedAwaitingPostgres: 0))
    }

    /// Runs until idle; returns at once when another pusher of this cluster holds the lock.
    public func run() throws {
        guard let lock = try spool.lockForPushing() else { return }
        defer { lock.close() }
        // Each segment's buffers (read, zstd, sealing, store) would otherwise be faulted in afresh: ~2 ms a segment.
        Memory.keepFreedForReuse()
        logger.info("wal pusher started", metadata: ["pg_wal": "\(pgWAL)", "parallel": "\(parallel)"])
        let workers = (0..<parallel).map { index in
            BackgroundTask(name: "wal pusher \(index)") { [self] in work() }
        }
        scanUntilIdle()
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        for worker in workers { try? worker.join() }
        condition.lock()
        state.phase = .stopped
        state.updatedAt = Date()
        let final = state
        condition.unlock()
        spool.writeState(final)
        logger.info("wal pusher stopped", metadata: ["pushed": "\(final.pushedSegments)"])
    }

    /// Rescans archive_status every 50 ms, queues what is new, and publishes the state once a second; returns
    /// when nothing was pending or in flight for `idleExit` seconds, or pg_wal went away.
    private func scanUntilIdle() {
        var idleSince = Date()
        var published = Date.distantPast
        while let entries = try? FileManager.default.contentsOfDirectory(atPath: pgWAL + "/archive_status") {
            let now = Date()
            condition.lock()
            // Listed once, under the lock: a worker writes a segment's marker before finish() takes the lock to
            // drop it from inFlight, so every pushed segment is either in flight or marked here, never queued again.
            let markers = spool.markers()
            let next = WALPusherPlan.pending(
                statusEntries: entries, marked: Set(markers), inFlight: inFlight.union(queue.map(\.rawValue)),
                retryAt: retryAt, now: now)
            queue.append(contentsOf: next)
            if !next.isEmpty { condition.broadcast() }
            let busy = !queue.isEmpty || !inFlight.isEmpty
            condition.unlock()
            for served in WALPusherPlan.servedMarkers(markers: markers, statusEntries: entries) {
                spool.removeMarker(served)
            }
            if busy { idleSince = now }
            if now.timeIntervalSince(published) >= 1 || !busy {
                publish(now: now)
                published = now
            }
            if !busy, now.timeIntervalSince(idleSince) >= idleExit { return }
            usleep(50_000)
        }
        logger.warning("pg_wal/archive_status is gone; the wal pusher stops", metadata: ["pg_wal": "\(pgWAL)"])
    }

    /// Worker thread: takes the oldest queued segment until stopped.
    private func work() {
        while let name = take() {
            let outcome = Result { try pushAndMark(name) }
            finish(name, outcome)
        }
    }

    private func take() -> WALName? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !stopping { condition.wait() }
        guard !stopping else { return nil }
        let name = queue.removeFirst()
        inFlight.insert(name.rawValue)
        return name
    }

    /// Archives one segment and then, only then, writes its marker, with the identity of the file it read when
    /// that identity vouches for the bytes (WALFileIdentity).
    private func pushAndMark(_ name: WALName) throws -> WALPushResult {
        var read: WALSourceFile?
        let result = try archive.push(path: pgWAL + "/" + name.rawValue) { read = $0 }
        try Failpoint.hit("wal.pusher.marker.before")
        try spool.writeMarker(
            WALPushMarker(
                size: result.size, sha256: result.sha256, object: result.object, identity: read?.settledIdentity()),
            for: name)
        try Failpoint.hit("wal.pusher.marker.after")
        return result
    }

    private func finish(_ name: WALName, _ outcome: Result<WALPushResult, Error>) {
        condition.lock()
        defer { condition.unlock() }
        inFlight.remove(name.rawValue)
        switch outcome {
        case .success(let result):
            failures[name.rawValue] = nil
            retryAt[name.rawValue] = nil
            state.pushedSegments += 1
            state.pushedBytes += result.size
            state.lastPushed = name.rawValue
            if state.phase == .failing { state.phase = .running }
            spool.removeError(name)
        case .failure(let error):
            let count = (failures[name.rawValue] ?? 0) + 1
            failures[name.rawValue] = count
            retryAt[name.rawValue] = Date().addingTimeInterval(WALPusherPlan.backoff(failures: count))
            let message = (error as? LifeboatError)?.message ?? "\(error)"
            state.phase = .failing
            state.lastError = "\(name): \(message)"
            state.lastErrorAt = Date()
            spool.writeError(message, for: name)
            logger.warning("wal pusher: push failed", metadata: ["wal": "\(name)", "error": "\(message)"])
        }
    }

    /// A pusher that could not open the repository (unreachable, wrong credential) says why in pusher.json.
    public static func recordStartFailure(spool: WALAsyncSpool, pgWAL: String, error: Error) {
        let now = Date()
        var state =
            spool.state()
            ?? WALPusherState(
                pid: getpid(), phase: .failing, pgWal: pgWAL, startedAt: now, updatedAt: now,
                queue: WALQueue(segments: 0, bytes: 0, oldestWaitingSeconds: 0, archivedAwaitingPostgres: 0))
        (state.pid, state.phase, state.updatedAt) = (getpid(), .failing, now)
        state.lastError = (error as? LifeboatError)?.message ?? "\(error)"
        state.lastErrorAt = now
        try? spool.prepare()
        spool.writeState(state)
    }

    /// Writes pusher.json with the queue as it is now (ready files without a marker are waiting).
    private func publish(now: Date) {
        let queue = spool.liveQueue(pgWAL: pgWAL, now: now)
        condition.lock()
        if let queue { state.queue = queue }
        state.updatedAt = now
        let snapshot = state
        condition.unlock()
        spool.writeState(snapshot)
    }
}
