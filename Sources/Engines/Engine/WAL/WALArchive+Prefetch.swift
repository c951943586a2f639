// WALArchive prefetching: `wal get` answers from the prefetch spool when it can, and a detached prefetcher
// (`wal prefetch`, started by `wal get`) downloads the next segments while recovery replays the current one,
// so recovery no longer waits for one process start and one download per segment.
//
// Correctness first: recovery only ever receives a spooled file under the exact name it asked for, and a
// spooled file exists only after WALArchive.get verified it completely (WALPrefetchSpool.swift). History,
// backup history and .partial files are never prefetched (PostgreSQL asks for them out of sequence, and a
// history file may appear in the archive later, so a stale copy would be wrong). A segment that is not archived
// ends prefetching quietly: it is the end of the archive, or of this timeline.
import Catalog
import Foundation
import SystemIO

extension WALArchive {
    /// The prefetcher: under the spool's lock (another prefetcher running means nothing to do), fetches the
    /// `count` segments after `name` that are not spooled yet, each through `get` (verified, temp + fsync +
    /// rename). Stops quietly at the first segment that is not archived.
    public func prefetch(after name: WALName, count: Int, segmentSize: UInt64, spool: WALPrefetchSpool) throws {
        guard let lock = try spool.lockForPrefetching() else { return }
        defer { lock.close() }
        spool.removeLeftoverTemporaryFiles()
        for next in WALPrefetchPlan.segments(after: name, count: count, segmentSize: segmentSize) {
            if FileManager.default.fileExists(atPath: spool.path(next)) { continue }
            do {
                _ = try get(name: next.rawValue, destination: spool.path(next), allowPartial: false)
            } catch WALError.notArchived {
                return
            }
        }
    }
}
