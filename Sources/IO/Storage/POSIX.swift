// What the local store adds to SystemIO: errors phrased as StoreError, and `mkdir -p` that makes each new
// directory durable and hands it to the repository's owner.
import SystemIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum POSIX {
    static func check(_ result: Int32, _ operation: String, _ path: String) throws {
        if result < 0 { throw StoreError.io(operation: operation, path: path, errno: errno) }
    }

    /// Runs SystemIO calls, reporting a failure as StoreError.io with the same operation and path.
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        try SystemError.mapped(body, into: StoreError.init)
    }

    static func syncDirectory(_ path: String) throws {
        try mapped { try Directory.fsync(path) }
    }

    /// mkdir -p with mode 0700; fsyncs the parent of every directory it creates so the new entry is durable.
    static func makeDirectories(_ path: String, owner: RepositoryOwner? = nil) throws {
        var isNew: [String] = []
        var current = path
        while !current.isEmpty, current != "/", access(current, F_OK) != 0 {
            isNew.append(current)
            current = parent(of: current)
        }
        for directory in isNew.reversed() {
            if mkdir(directory, 0o700) != 0 {
                guard errno == EEXIST else { throw StoreError.io(operation: "mkdir", path: directory, errno: errno) }
            } else {
                try owner?.adopt(directory: directory)
            }
            try syncDirectory(parent(of: directory))
        }
    }

    static func parent(of path: String) -> String { Directory.parent(of: path) }
}

extension StoreError {
    /// A SystemIO failure as the store has always reported it: the operation, and the path it was about (the
    /// destination of a rename or link).
    init(_ error: SystemError) {
        self = .io(operation: error.operation, path: error.destination ?? error.path, errno: error.code)
    }
}
