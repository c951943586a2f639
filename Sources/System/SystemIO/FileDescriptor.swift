// FileDescriptor: an open file descriptor and the loops every caller of read(2)/write(2) needs — short writes
// continued, EINTR retried — written once. It does not own the descriptor: whoever opened it closes it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FileDescriptor: Sendable, Hashable {
    public let rawValue: Int32

    public init(_ rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// open(2) with O_CLOEXEC always added (no descriptor leaks into a child). Throws SystemError "open".
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o600) throws -> FileDescriptor {
        let fd = retryingEINTR { Glibc.open(path, flags | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw SystemError("open", path: path) }
        return FileDescriptor(fd)
    }

    /// Writes every byte: a short write is continued, EINTR retried. Throws SystemError "write" (`path` names
    /// the file in it). A write that makes no progress is EIO rather than a loop without end.
    public func writeAll(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        try Self.writeEvery(bytes, path: path) { base, count, _ in Glibc.write(rawValue, base, count) }
    }

    public func writeAll(_ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { try writeAll($0, path: path) }
    }

    /// Writes every byte at `offset` with pwrite(2), independent of the file position: a short write is
    /// continued, EINTR retried. Throws SystemError "write".
    public func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        try Self.writeEvery(bytes, path: path) { base, count, done in
            pwrite(rawValue, base, count, off_t(offset + Int64(done)))
        }
    }

    /// The loop of both writeAll: `write(base, count, done)` writes up to `count` bytes from `base`, `done` bytes
    /// being written already, and returns what write(2) does. A short write is continued, EINTR retried, and a
    /// write that makes no progress is EIO.
    private static func writeEvery(
        _ bytes: UnsafeRawBufferPointer, path: String, _ write: (UnsafeRawPointer, Int, Int) -> Int
    ) throws {
        guard let start = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let written = write(start + done, bytes.count - done, done)
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path: path)
            }
            guard written > 0 else { throw SystemError("write", path: path, code: EIO) }
            done += written
        }
    }

    /// ftruncate(2): sets the file's length; a longer file reads as zeros past the old end and, on file systems
    /// with sparse files, takes no space for them. Throws SystemError "truncate".
    public func truncate(to length: Int64, path: String) throws {
        guard Self.retryingEINTR({ ftruncate(rawValue, off_t(length)) }) == 0 else {
            throw SystemError("truncate", path: path)
        }
    }

    /// One read(2), EINTR retried: the count read, 0 at the end. Throws SystemError "read".
    public func read(into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        let count = Self.retryingEINTR { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
        guard count >= 0 else { throw SystemError("read", path: path) }
        return count
    }

    /// One pread(2) at `offset`, independent of the file position, EINTR retried. Throws SystemError "read".
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        let count = Self.retryingEINTR { pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
        guard count >= 0 else { throw SystemError("read", path: path) }
        return count
    }

    /// Everything up to the end of the file.
    public func readToEnd(path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while case let count = try buffer.withUnsafeMutableBytes({ try read(into: $0, path: path) }), count > 0 {
            bytes += buffer[0..<count]
        }
        return bytes
    }

    /// fsync(2), its result checked: a failed fsync means the data may not be on disk, never "probably fine".
    public func sync(path: String) throws {
        guard fsync(rawValue) == 0 else { throw SystemError("fsync", path: path) }
    }

    /// syncfs(2): every file written to the file system holding this descriptor reaches the disk, in one call
    /// (instead of an fsync per file). Glibc declares it only under _GNU_SOURCE, which Swift's Glibc module does
    /// not define, so it is looked up at run time; where it is missing, sync(2) of every file system stands in.
    public func syncFileSystem(path: String) throws {
        guard let call = Self.syncfs else {
            Glibc.sync()
            return
        }
        guard call(rawValue) == 0 else { throw SystemError("syncfs", path: path) }
    }

    private static let syncfs: (@convention(c) (Int32) -> Int32)? = LibCSymbol.lookup("syncfs")

    /// sync_file_range(2) with SYNC_FILE_RANGE_WRITE: starts writing the range's dirty pages to the disk and returns
    /// without waiting for them (length 0: to the end of the file), so the disk works while the caller produces
    /// more and a later fsync or syncfs finds little left to write. A hint only: it makes nothing durable, so a
    /// failure (a file system without it) is ignored. Looked up at run time for the reason `syncfs` is.
    public func startWriteback(offset: Int64 = 0, length: Int64 = 0) {
        _ = Self.syncFileRange?(rawValue, offset, length, Self.syncFileRangeWrite)
    }

    static var writebackAvailable: Bool { syncFileRange != nil }
    private static let syncFileRangeWrite: UInt32 = 2  // SYNC_FILE_RANGE_WRITE
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = LibCSymbol.lookup(
        "sync_file_range")

    /// Turns O_DIRECT on or off for the open file (fcntl F_SETFL): writes then go from the caller's buffer to the
    /// disk without a copy into the page cache, and each write returns once the device has the data (it still
    /// needs fsync/syncfs for the file's metadata and the device's cache). Buffers, offsets and lengths must be
    /// aligned to the device's block size (`directAlignment` is enough for every Linux file system) or a write
    /// fails with EINVAL. Returns false where the file system or platform does not support it (tmpfs before
    /// Linux 6.6, some FUSE file systems): the caller then writes through the page cache as before.
    public func setDirectIO(_ on: Bool) -> Bool {
        guard let flag = Self.directFlag else { return false }
        let flags = fcntl(rawValue, F_GETFL)
        guard flags >= 0 else { return false }
        return fcntl(rawValue, F_SETFL, on ? flags | flag : flags & ~flag) == 0
    }

    /// The alignment of buffers, offsets and lengths for O_DIRECT writes: the largest logical block size of the
    /// devices Linux file systems sit on (4 KiB; 512-byte devices accept it too).
    public static let directAlignment = 4096

    /// O_DIRECT, which Swift's Glibc module does not export (glibc defines it under _GNU_SOURCE); its value
    /// differs between architectures.
    private static let directFlag: Int32? = {
        #if os(Linux) && arch(x86_64)
        return 0o40000
        #elseif os(Linux) && arch(arm64)
        return 0o200000
        #else
        return nil
        #endif
    }()

    /// fchmod(2): the mode of exactly this file, never of whatever a path names by now. Throws "chmod".
    public func setMode(_ mode: mode_t, path: String) throws {
        guard fchmod(rawValue, mode) == 0 else { throw SystemError("chmod", path: path) }
    }

    /// Whether the open file is a regular file (not a directory, FIFO, device). Throws SystemError "stat".
    public func isRegularFile(path: String) throws -> Bool {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw SystemError("stat", path: path) }
        return info.st_mode & S_IFMT == S_IFREG
    }

    /// close(2), never retried: on Linux the descriptor is gone even when close reports EINTR.
    public func close() {
        _ = Glibc.close(rawValue)
    }

    /// Repeats a call that failed with EINTR (a signal arrived before it did anything).
    static func retryingEINTR<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}
