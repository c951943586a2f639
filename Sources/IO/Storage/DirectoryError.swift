// Errors of DirectoryHandle: a path it refuses to go through, or a system call that failed.
import Diagnostics
import SystemIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum DirectoryError: LifeboatError, Equatable {
    /// The directory (or an entry to be created) is a symbolic link: never followed there.
    case symbolicLink(path: String)
    /// A symbolic link on the way, in a directory another user can change: following it would let that user choose where we write.
    case untrustedLink(path: String)
    case notDirectory(path: String)
    case notRegularFile(path: String)
    case io(operation: String, path: String, errno: Int32)

    public var exitStatus: ExitStatus { .failure }

    /// The errno of a failed system call (ENOENT: the path does not exist).
    public var code: Int32? {
        if case .io(_, _, let code) = self { return code }
        return nil
    }

    public var message: String {
        switch self {
        case .symbolicLink(let path): return "'\(path)' is a symbolic link, which lifeboat does not follow here"
        case .untrustedLink(let path):
            return
                "'\(path)' is a symbolic link in a directory that other users can write, so lifeboat does not follow it"
        case .notDirectory(let path): return "'\(path)' is not a directory"
        case .notRegularFile(let path): return "'\(path)' is not a regular file"
        case .io(let operation, let path, let code):
            return "\(operation) '\(path)' failed: \(String(cString: strerror(code)))"
        }
    }

    public var hint: String? {
        switch self {
        case .symbolicLink, .untrustedLink:
            return "give the directory the link points to (see 'realpath'), after checking that it is the one you mean"
        case .io(_, _, let code) where code == ENOSPC:
            return "free space on that file system, then run the operation again"
        default: return nil
        }
    }
}

extension DirectoryError {
    /// Runs SystemIO calls, reporting a failure as `.io` with the same operation and path.
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        try SystemError.mapped(body) {
            DirectoryError.io(operation: $0.operation, path: $0.destination ?? $0.path, errno: $0.code)
        }
    }
}
