// WALPrefetchPlan: which segments `wal get` fetches ahead of recovery, and which spooled files recovery has
// passed. Pure: names in, names out (the spool itself is Engine/WALPrefetchSpool.swift).
//
// Recovery asks restore_command for segments in order on one timeline, so after segment N the next ones are
// N+1, N+2, … of the same timeline; a segment number's "seg" part wraps to 0 in the next "log" at
// 2^32 / segment size (0xFF → 0x100 for 16 MiB segments: …000000FF is followed by …0000000100000000). A
// guess that is wrong (a timeline switch, the end of the archive) only costs a download: recovery gets a file
// from the spool only under the exact name it asked for.
import Foundation

public enum WALPrefetchPlan {
    /// The `count` segments after `name` on its timeline; empty for anything but a plain segment.
    public static func segments(after name: WALName, count: Int, segmentSize: UInt64) -> [WALName] {
        guard name.kind == .segment, count > 0, let first = name.segmentNumber(segmentSize: segmentSize) else {
            return []
        }
        let perLog = (UInt64(1) << 32) / segmentSize
        return (1...UInt64(count)).compactMap { offset in
            let number = first + offset
            guard number / perLog <= UInt64(UInt32.max) else { return nil }
            return WALName(LSN.segmentName(timeline: name.timeline, segment: number, segmentSize: segmentSize))
        }
    }

    public static let spoolDirectoryName = "lifeboat-prefetch"

    /// The spool beside restore_command's DEST (`%p`, normally `pg_wal/RECOVERYXLOG`): `pg_wal/lifeboat-prefetch`,
    /// on the same file system, so taking a spooled segment is a rename. Spooled files are named after the segment.
    public static func spoolDirectory(destination: String) -> String {
        let slash = destination.lastIndex(of: "/")
        let parent = slash.map { $0 == destination.startIndex ? "" : String(destination[..<$0]) } ?? "."
        return parent + "/" + spoolDirectoryName
    }

    /// True for a spooled file recovery no longer needs once it asked for `asked`: a segment that sorts before
    /// it (an earlier segment, or any segment of an older timeline). Anything that is not a segment name
    /// (the lock file, temporary files) is not a spooled segment and is left to the prefetcher.
    public static func isPassed(fileName: String, asked: WALName) -> Bool {
        guard let spooled = WALName(fileName), spooled.kind == .segment else { return false }
        return spooled < asked
    }
}
