// WALReceiverStorer: the thread that stores what `wal receive` has spooled — completed segments (archived as
// `wal push` archives them) and partials of the segment being filled — so the replication stream keeps being
// read while a segment is compressed, sealed and uploaded. Before, the receiver stopped reading for each store;
// under load the server's unsent WAL then grew by a store's duration every segment, which was the receiver's
// worst-case lag.
//
// Jobs run one at a time in the order they were queued, so "stored up to" only moves forward and never skips a
// segment: the stream acknowledges to the server exactly the position the storer reports (WALStream.commit). At
// most `limit` jobs wait; a full queue holds the stream back (WALStream waits, still sending status updates), so
// the spool holds at most `limit` + 1 segments. A job that fails stops the storer: the jobs behind it are
// dropped and the stream ends with that error (the receiver reconnects from the archive's end).
import Catalog
import Foundation

#if canImport(Glibc)
import Glibc
#endif

final class WALReceiverStorer: @unchecked Sendable {
    enum Job {
        /// A complete spool file, archived then unlinked; stored up to `end` afterwards.
        case segment(name: WALName, path: String, end: UInt64)
        /// The first `size` bytes of the spool file being filled, stored as its partial; up to `end` afterwards.
        case partial(name: WALName, path: String, size: Int64, end: UInt64)

        var end: UInt64 {
            switch self {
            case .segment(_, _, let end), .partial(_, _, _, let end): return end
            }
        }
        var isPartial: Bool {
            if case .partial = self { return true }
            return false
        }
    }

    // All state below is guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var running: Job?
    private var storedUpTo: UInt64?
    private var failure: Error?
    private var stopping = false
    private var finished = false
    private let limit: Int
    private let store: (Job) throws -> Void

    /// `store` runs on the storer's thread, one job at a time.
    init(limit: Int = 4, store: @escaping (Job) throws -> Void) {
        self.limit = limit
        self.store = store
        let thread = Thread { [self] in self.work() }
        thread.name = "lifeboat-wal-receive-store"
        thread.start()
    }

    /// Queues `job`, waiting at most `timeout` seconds for room; false when there was none (call again after
    /// sending a status update). Rethrows the storer's failure.
    func enqueue(_ job: Job, timeout: Double) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while failure == nil && queue.count >= limit {
            if !condition.wait(until: deadline) { break }
        }
        if let failure { throw failure }
        guard queue.count < limit else { return false }
        queue.append(job)
        condition.broadcast()
        return true
    }

    /// The newest position stored since the last call (nil when nothing new); rethrows the storer's failure.
    func takeStored() throws -> UInt64? {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
        defer { storedUpTo = nil }
        return storedUpTo
    }

    /// Jobs queued or running.
    var pending: (count: Int, partial: Bool) {
        condition.lock()
        defer { condition.unlock() }
        let all = queue + (running.map { [$0] } ?? [])
        return (all.count, all.contains { $0.isPartial })
    }

    /// Waits until every queued job is stored (or one failed), then stops the thread.
    func drain() throws {
        condition.lock()
        defer { condition.unlock() }
        while failure == nil && (running != nil || !queue.isEmpty) { condition.wait() }
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        if let failure { throw failure }
    }

    /// Drops the queued jobs and waits for the running one to end: nothing is stored after this returns.
    func stop() {
        condition.lock()
        defer { condition.unlock() }
        queue.removeAll()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
    }

    private func work() {
        while let job = next() {
            do {
                try store(job)
                condition.lock()
                running = nil
                storedUpTo = max(storedUpTo ?? 0, job.end)
                condition.broadcast()
                condition.unlock()
            } catch {
                condition.lock()
                running = nil
                failure = error
                queue.removeAll()
                condition.broadcast()
                condition.unlock()
                break
            }
        }
        finish()
    }

    private func next() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !stopping { condition.wait() }
        guard !queue.isEmpty else { return nil }  // stopping, and nothing left to store
        running = queue.removeFirst()
        condition.broadcast()  // room in the queue for a waiting enqueue
        return running
    }

    private func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
