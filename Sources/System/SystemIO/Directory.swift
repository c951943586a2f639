// Directory: the directory operations durable writes need. A rename, link or unlink is durable only once the
// directory holding the entry is fsynced; a crash before that may bring the old entry back.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Directory {
    /// fsync of the directory at `path`. Throws SystemError "open" or "fsync" naming the directory.
    public static func fsync(_ path: String) throws {
        let fd = try FileDescriptor.open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY)
        defer { fd.close() }
        try fd.sync(path: path)
    }

    /// The directory holding `path`: "." for a bare name, "/" for an entry of the root.
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
