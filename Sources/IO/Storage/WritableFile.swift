// WritableFile: a file a DirectoryHandle created or opened for writing. Mode, owner and sync act on the open
// descriptor, never on a path, so they reach exactly the file that was written. Closed when released.
import SystemIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class WritableFile {
    /// For messages only.
    public let path: String
    private let fd: Int32
    /// Whether writes bypass the page cache (useDirectIO).
    public private(set) var isDirect = false

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try DirectoryError.mapped { try FileDescriptor(fd).writeAll(bytes, path: path) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Writes `bytes` at `offset` (pwrite), leaving the file position alone.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try DirectoryError.mapped { try FileDescriptor(fd).writeAll(bytes, at: offset, path: path) }
    }

    /// Asks for writes that bypass the page cache (O_DIRECT, FileDescriptor.setDirectIO); false where the file
    /// system refuses, and the file stays as it was. Every write must then be aligned (writeAligned).
    public func useDirectIO() -> Bool {
        isDirect = FileDescriptor(fd).setDirectIO(true)
        return isDirect
    }

    /// Back to writes through the page cache, e.g. for an unaligned tail.
    public func stopDirectIO() {
        if isDirect { _ = FileDescriptor(fd).setDirectIO(false) }
        isDirect = false
    }

    /// Writes `bytes` at `offset`: directly when useDirectIO succeeded (buffer, offset and length then aligned to
    /// FileDescriptor.directAlignment), else through the page cache. A direct write the file system refuses
    /// (EINVAL: an alignment it needs larger than ours, or no direct I/O for this file after all) turns direct I/O
    /// off and writes the same bytes at the same offset again through the page cache, so nothing is lost or
    /// misplaced whatever part of the refused write landed.
    public func writeAligned(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        if isDirect {
            do {
                return try write(bytes, at: offset)
            } catch DirectoryError.io(_, _, let code) where code == EINVAL {
                stopDirectIO()
            }
        }
        try write(bytes, at: offset)
    }

    /// Reads up to `buffer.count` bytes at `offset` (pread until full or the end of the file), directly when
    /// useDirectIO succeeded (aligned as for writeAligned; a direct read sees what earlier writes through the page
    /// cache left, as the kernel writes those back first). A direct read the file system refuses (EINVAL) turns
    /// direct I/O off and reads through the page cache. Returns the count read: short only at the end of the file.
    /// Only for a file opened for reading too (DirectoryHandle.openFile).
    public func readAligned(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        if isDirect {
            do {
                return try readFully(into: buffer, at: offset)
            } catch DirectoryError.io(_, _, let code) where code == EINVAL {
                stopDirectIO()
            }
        }
        return try readFully(into: buffer, at: offset)
    }

    private func readFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let count = try DirectoryError.mapped {
                try FileDescriptor(fd).read(
                    into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), at: offset + Int64(done), path: path
                )
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Sets the file's length: past the old end it reads as zeros, written as a hole where the file system can.
    public func truncate(to length: Int64) throws {
        try DirectoryError.mapped { try FileDescriptor(fd).truncate(to: length, path: path) }
    }

    public func setMode(_ mode: mode_t) throws {
        try DirectoryError.mapped { try FileDescriptor(fd).setMode(mode, path: path) }
    }

    public func setOwner(uid: uid_t, gid: gid_t) throws {
        try check(fchown(fd, uid, gid), "chown")
    }

    /// Starts writing what was written in the range to the disk without waiting (FileDescriptor.startWriteback).
    public func startWriteback(offset: Int64 = 0, length: Int64 = 0) {
        FileDescriptor(fd).startWriteback(offset: offset, length: length)
    }

    public func sync() throws {
        try DirectoryError.mapped { try FileDescriptor(fd).sync(path: path) }
    }

    private func check(_ result: Int32, _ operation: String) throws {
        if result != 0 { throw DirectoryError.io(operation: operation, path: path, errno: errno) }
    }
}
