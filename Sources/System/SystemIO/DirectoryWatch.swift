// DirectoryWatch: inotify on one directory, reporting files created in it and files closed after writing. A
// parallel logical backup learns from it when pg_dump starts a file (to read it while it grows) and when it is
// complete (its writer closed it), without polling the directory.
#if canImport(Glibc)
import Glibc

public final class DirectoryWatch: @unchecked Sendable {
    // Used by one thread at a time (the dump's watcher); `close` after that thread is done.
    public enum Change: Equatable, Sendable {
        case created(String)
        case closedAfterWrite(String)
    }

    private let fd: Int32
    public let path: String
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    public init(_ path: String) throws {
        self.path = path
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { throw SystemError("inotify_init1", path: path) }
        let mask = UInt32(IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_Q_OVERFLOW)
        guard inotify_add_watch(fd, path, mask) >= 0 else {
            let error = SystemError("inotify_add_watch", path: path)
            Glibc.close(fd)
            throw error
        }
    }

    deinit { Glibc.close(fd) }

    /// The changes that happened since the last call, waiting up to `timeoutMilliseconds` for the first one.
    /// An overflowed event queue (changes were lost) is an error: the dump's files could no longer be accounted for.
    public func changes(timeoutMilliseconds: Int32) throws -> [Change] {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, timeoutMilliseconds)
        if ready < 0 {
            if errno == EINTR { return [] }
            throw SystemError("poll", path: path)
        }
        guard ready > 0 else { return [] }
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return [] }
            throw SystemError("read", path: path)
        }
        return try parse(count)
    }

    private func parse(_ count: Int) throws -> [Change] {
        var changes: [Change] = []
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        try buffer.withUnsafeBytes { bytes in
            while offset + header <= count {
                let mask = bytes.load(fromByteOffset: offset + 4, as: UInt32.self)
                let length = Int(bytes.load(fromByteOffset: offset + 12, as: UInt32.self))
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { throw SystemError("inotify", path: path, code: EOVERFLOW) }
                let nameBytes = bytes[(offset + header)..<(offset + header + length)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                if !name.isEmpty {
                    if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { changes.append(.created(name)) }
                    if mask & UInt32(IN_CLOSE_WRITE) != 0 { changes.append(.closedAfterWrite(name)) }
                }
                offset += header + length
            }
        }
        return changes
    }
}
#endif
