// DurableFile: a file that replaces `path` whole or not at all, and stays replaced after a crash: the bytes go to
// a temporary file, which is fsynced and renamed over `path`, and then the directory is fsynced (the rename is
// only durable once the directory is). Readers see the old file or the complete new one, never a part.
//
// The temporary file is created with O_CREAT|O_EXCL|O_NOFOLLOW: never an existing file, and never through a
// link someone put at its name (a directory other users can write must not let them choose where the bytes
// go). Its final mode is set on the descriptor (fchmod), not by path and not left to the umask. Every failure
// removes the temporary file; so does `discard` and the deinit of a file that was never committed.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class DurableFile {
    /// The file this one replaces when committed.
    public let path: String
    public let temporaryPath: String
    /// The temporary file's descriptor, for what only its creator knows to do (fchown to a repository owner).
    public let descriptor: FileDescriptor
    private var isOpen = true
    private var settled = false  // the temporary file was renamed into place or removed

    /// Creates the temporary file `temporaryName()` (mode `mode`) that `commit` renames over `path`. A name
    /// that exists already is tried again with a new one, `attempts` times in all. Throws SystemError "open"
    /// (EEXIST when every name existed) or "chmod".
    public init(replacing path: String, mode: mode_t, attempts: Int = 1, temporaryName: () -> String) throws {
        var created: (FileDescriptor, String)?
        var lastError = SystemError("open", path: path, code: EEXIST)
        for _ in 0..<max(attempts, 1) where created == nil {
            let name = temporaryName()
            do {
                created = (try FileDescriptor.open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600), name)
            } catch let error as SystemError where error.code == EEXIST {
                lastError = error
            }
        }
        guard let (fd, name) = created else { throw lastError }
        self.path = path
        self.temporaryPath = name
        self.descriptor = fd
        do {
            try fd.setMode(mode, path: name)
        } catch {
            discard()
            throw error
        }
    }

    deinit { discard() }

    /// Appends `bytes` to the temporary file. Throws SystemError "write" naming the temporary file.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try descriptor.writeAll(bytes, path: temporaryPath)
    }

    public func write(_ bytes: [UInt8]) throws {
        try descriptor.writeAll(bytes, path: temporaryPath)
    }

    /// fsync, rename over `path`, fsync `path`'s directory. Throws SystemError "fsync" (the temporary file),
    /// "rename" (to `path`), or "open"/"fsync" naming the directory; until the rename the temporary file is
    /// removed on failure, after it the new file is in place but not known to be durable.
    public func commit() throws {
        try settle { () throws -> Void in
            guard rename(temporaryPath, path) == 0 else {
                throw SystemError("rename", path: temporaryPath, destination: path)
            }
        }
        try Directory.fsync(Directory.parent(of: path))
    }

    /// Like `commit`, but never replaces: links the temporary file to `path` and returns false when `path`
    /// exists already (link(2) fails with EEXIST: the atomic create-if-absent). The temporary file is removed
    /// in every case. Throws SystemError "link" (to `path`), or as `commit`.
    public func commitExclusively() throws -> Bool {
        var linked = false
        try settle { () throws -> Void in
            defer { unlink(temporaryPath) }
            if link(temporaryPath, path) == 0 {
                linked = true
            } else if errno != EEXIST {
                throw SystemError("link", path: temporaryPath, destination: path)
            }
        }
        if linked { try Directory.fsync(Directory.parent(of: path)) }
        return linked
    }

    /// Removes the temporary file unless it was committed; safe to call more than once.
    public func discard() {
        closeDescriptor()
        if !settled { unlink(temporaryPath) }
        settled = true
    }

    /// fsyncs and closes the temporary file, then `place`s it; the temporary file goes on any failure.
    private func settle(_ place: () throws -> Void) throws {
        guard !settled else { throw SystemError("write", path: temporaryPath, code: EBADF) }
        do {
            try descriptor.sync(path: temporaryPath)
            closeDescriptor()
            try place()
            settled = true
        } catch {
            discard()
            throw error
        }
    }

    private func closeDescriptor() {
        if isOpen { descriptor.close() }
        isOpen = false
    }
}
