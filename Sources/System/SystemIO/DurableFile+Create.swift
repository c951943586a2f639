// DurableFile.create and move: the two other durable changes of a directory entry. `create` makes a new file in
// place, for a file that must never replace another (a key file); `move` renames an existing one.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DurableFile {
    /// Creates `path`, which must not exist (O_CREAT|O_EXCL|O_NOFOLLOW: not an existing file, not a link),
    /// with exactly `mode` (fchmod), writes `bytes`, fsyncs the file and its directory. On any failure after
    /// the file was created it is removed again. Throws SystemError "open" (EEXIST: `path` exists), "chmod",
    /// "write", "fsync" naming the file, or "open"/"fsync" naming the directory.
    public static func create(_ path: String, with bytes: [UInt8], mode: mode_t) throws {
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
        do {
            defer { fd.close() }
            try fd.setMode(mode, path: path)
            try fd.writeAll(bytes, path: path)
            try fd.sync(path: path)
        } catch {
            unlink(path)
            throw error
        }
        do {
            try Directory.fsync(Directory.parent(of: path))
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Renames `source` to `destination` (replacing it) and fsyncs `destination`'s directory. Throws SystemError
    /// "rename" (ENOENT: `source` is gone), or "open"/"fsync" naming the directory.
    public static func move(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw SystemError("rename", path: source, destination: destination)
        }
        try Directory.fsync(Directory.parent(of: destination))
    }
}
