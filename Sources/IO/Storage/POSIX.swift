// Thin helpers over the POSIX calls the local store needs for durable writes (fsync file, rename, fsync dir),
// and that DirectoryHandle shares.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum POSIX {
    static func check(_ result: Int32, _ operation: String, _ path: String) throws {
        if result < 0 { throw StoreError.io(operation: operation, path: path, errno: errno) }
    }

    static func openFile(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let fd = open(path, flags | O_CLOEXEC, mode)
        try check(fd, "open", path)
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        try writeAll(fd, bytes) { StoreError.io(operation: "write", path: path, errno: $0) }
    }

    /// Writes every byte, retrying short writes and EINTR; `failure` turns an errno into the caller's error.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, failure: (Int32) -> any Error) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(fd, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            remaining -= written
            base += written
        }
    }

    static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw StoreError.io(operation: "read", path: path, errno: errno) }
        }
    }

    static func fsyncPath(_ path: String, directory: Bool) throws {
        let fd = try openFile(path, flags: directory ? O_RDONLY | O_DIRECTORY : O_RDONLY)
        defer { close(fd) }
        try check(fsync(fd), "fsync", path)
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
            try fsyncPath(parent(of: directory), directory: true)
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
