// FileDescriptor+Spool: the calls a parallel dump and restore need beyond read and write — freeing what was read of
// a file that is still being written (so local disk holds only the unread part), and named pipes.
#if canImport(Glibc)
import Glibc

extension FileDescriptor {
    /// Frees the blocks of `length` bytes at `offset` without changing the file's size (FALLOC_FL_PUNCH_HOLE).
    /// Returns false when the file system cannot (the caller then holds the bytes until it deletes the file).
    @discardableResult
    public func punchHole(offset: Int64, length: Int64) -> Bool {
        guard length > 0 else { return true }
        guard let fallocate = Self.fallocate else { return false }
        // FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE (linux/falloc.h), which do not import as Swift constants.
        let mode: Int32 = 0x01 | 0x02
        return Self.retryingEINTR { fallocate(rawValue, mode, offset, length) } == 0
    }

    /// glibc's fallocate(2) wrapper, looked up at run time: its declaration needs _GNU_SOURCE, which the Glibc
    /// module is not built with.
    private static let fallocate: (@convention(c) (Int32, Int32, Int64, Int64) -> Int32)? = LibCSymbol.lookup(
        "fallocate")

    /// Size of the open file. Throws SystemError "fstat".
    public func size(path: String) throws -> Int64 {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw SystemError("fstat", path: path) }
        return Int64(info.st_size)
    }

    /// Asks for a pipe buffer of `bytes` (F_SETPIPE_SZ); returns false when refused (above
    /// /proc/sys/fs/pipe-max-size for an unprivileged process, or not a pipe), leaving the buffer as it was.
    /// A larger buffer lets a writer hand over more per wake-up of its reader.
    @discardableResult
    public func setPipeBuffer(_ bytes: Int32) -> Bool {
        // F_SETPIPE_SZ (1031) needs _GNU_SOURCE, which the Glibc module is not built with.
        Glibc.fcntl(rawValue, 1031, bytes) >= 0
    }

    /// Creates a named pipe (mkfifo) with `mode`. Throws SystemError "mkfifo".
    public static func makeFIFO(_ path: String, mode: mode_t = 0o600) throws {
        guard mkfifo(path, mode) == 0 else { throw SystemError("mkfifo", path: path) }
    }
}

/// The size of the file at `path`, nil when it does not exist (or cannot be looked at).
public func fileSize(atPath path: String) -> Int64? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Int64(info.st_size)
}
#endif
