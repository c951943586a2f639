// WALFileIdentity: which file, in which state, the background pusher read for a segment (docs/format.md §8.6):
// device, inode, and modification and change times in nanoseconds. The pusher records it in the segment's
// marker; PostgreSQL's later archive_command accepts a file whose fstat gives exactly this identity (and the
// marker's size) without hashing its 16 MiB again, and re-hashes any other.
//
// An unchanged identity means unchanged bytes only if every write after the pusher's look would move the change
// time. A write lands at the file system's clock tick, which may be coarse (1 s on some file systems), so a
// write in the same tick as the file's last change could leave the change time as it was: the pusher records
// an identity only for a file whose last change is `settle` older than the moment it looked (`isSettled`). A
// segment PostgreSQL just finished is re-hashed by its archive_command; a backlog is not. Pure: numbers in,
// facts out.
import Foundation

public struct WALFileIdentity: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    /// st_mtim and st_ctim, nanoseconds since the epoch.
    public var modifiedNanoseconds: Int64
    public var changedNanoseconds: Int64

    /// How much older than the pusher's look the file's last change must be: a second of coarse time stamps,
    /// and a second for the tick the kernel's time stamp clock lags the wall clock by.
    public static let settle: Int64 = 2_000_000_000

    public init(device: UInt64, inode: UInt64, modifiedNanoseconds: Int64, changedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
    }

    /// Whether a write after `lookedAtNanoseconds` (wall clock when the file was examined) must change the
    /// change time: the last change is at least `settle` before the look, so a later write gets a later stamp.
    public func isSettled(lookedAtNanoseconds: Int64) -> Bool {
        changedNanoseconds <= lookedAtNanoseconds - Self.settle
    }

    /// Text form inside a marker: `<device>:<inode>:<mtime ns>:<ctime ns>`, decimal.
    public var text: String { "\(device):\(inode):\(modifiedNanoseconds):\(changedNanoseconds)" }

    public init?(text: Substring) {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 4, fields.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
            let device = UInt64(fields[0]), let inode = UInt64(fields[1]), let modified = Int64(fields[2]),
            let changed = Int64(fields[3])
        else { return nil }
        self.init(device: device, inode: inode, modifiedNanoseconds: modified, changedNanoseconds: changed)
    }
}
