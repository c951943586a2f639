// WALArchive prefetching: `wal get` answers from the prefetch spool when it can, and a detached prefetcher
// (`wal prefetch`, started by `wal get` when none runs) downloads the next segments while recovery replays the
// current one, so recovery no longer waits for one process start and one download per segment.
//
// One prefetcher follows recovery for as long as recovery keeps asking: `wal get` records each segment it is
// asked for in the spool (`.asked`), and the prefetcher keeps the `count` segments after it spooled. Starting a
// prefetcher per segment would cost a process start, a configuration read and a key unwrap per segment, on the
// cores recovery replays with.
//
// Correctness first: recovery only ever receives a spooled file under the exact name it asked for, and a
// spooled file exists only after WALArchive.get verified it completely (WALPrefetchSpool.swift). History,
// backup history and .partial files are never prefetched (PostgreSQL asks for them out of sequence, and a
// history file may appear in the archive later, so a stale copy would be wrong). A segment that is not archived
// ends prefetching quietly: it is the end of the archive, or of this timeline.
import Catalog
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

extension WALArchive {
    /// How long a prefetcher whose window is full waits for recovery to ask for the next segment before it exits
    /// (the next `wal get` starts another).
    public static let prefetchIdleExit: TimeInterval = 3

    /// The prefetcher: under the spool's lock (another prefetcher running means nothing to do), keeps the `count`
    /// segments after the one recovery asked for last (`name`, then the spool's `.asked`) spooled, each fetched
    /// through `get` (verified, temp + fsync + rename). Stops quietly at the first segment that is not archived,
    /// and once recovery has asked for nothing new for `idleExit` seconds.
    public func prefetch(
        after name: WALName, count: Int, segmentSize: UInt64, spool: WALPrefetchSpool,
        idleExit: TimeInterval = WALArchive.prefetchIdleExit
    ) throws {
        var asked = name
        Memory.keepFreedForReuse()  // one segment's buffers serve the next
        while let lock = try spool.lockForPrefetching() {
            defer { lock.close() }
            spool.removeLeftoverTemporaryFiles()
            guard try follow(from: &asked, count: count, segmentSize: segmentSize, spool: spool, idleExit: idleExit)
            else { return }
            lock.close()
            // A `wal get` that recorded a newer segment while the lock was still held did not start a prefetcher:
            // this one goes on, unless another took the lock meanwhile.
            guard let recorded = spool.asked(), recorded != asked else { return }
        }
    }

    /// Fetches the window after `asked`, following the spool's `.asked`; false at the end of the archive, true
    /// when recovery asked for nothing new for `idleExit` seconds.
    private func follow(
        from asked: inout WALName, count: Int, segmentSize: UInt64, spool: WALPrefetchSpool, idleExit: TimeInterval
    ) throws -> Bool {
        var idleSince = Date()
        while true {
            if let recorded = spool.asked(), recorded != asked {
                asked = recorded
                idleSince = Date()
            }
            let window = WALPrefetchPlan.segments(after: asked, count: count, segmentSize: segmentSize)
            if let next = window.first(where: { !FileManager.default.fileExists(atPath: spool.path($0)) }) {
                do {
                    _ = try get(name: next.rawValue, destination: spool.path(next), allowPartial: false)
                } catch WALError.notArchived {
                    return false
                }
                idleSince = Date()
                continue
            }
            if Date().timeIntervalSince(idleSince) >= idleExit { return true }
            usleep(20_000)
        }
    }
}
