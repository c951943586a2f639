// MetricsFileWriter: `--metrics-file PATH`, for node_exporter's textfile collector. Every run updates its own
// samples in the one file and keeps the other operations' (backup, wal push, prune, drill, status all share
// it): under an exclusive flock on PATH.lock it reads the file, merges, writes a new temporary file, fsyncs and
// renames it over PATH, so the collector never reads a half-written file and concurrent runs (wal push during a
// backup) never lose each other's updates. The file is 0644: it holds timings and sizes, never secrets.
//
// The metrics directory may be writable by users with fewer privileges than the run (root's backup writing
// into node_exporter's directory), so nothing here follows a link or trusts a name someone else could have
// created: the temporary file gets a random name and is created exclusively (O_EXCL | O_NOFOLLOW) and chmodded
// through its descriptor; PATH and PATH.lock are opened with O_NOFOLLOW and must be regular files; the lock is
// waited for a bounded time, so a lock held by someone else cannot hang a backup.
import Diagnostics
import Foundation
import Storage
import Metrics
#if canImport(Glibc)
import Glibc
#endif

public enum MetricsFileWriter {
    /// How long a run waits for another writer's lock; writers hold it for milliseconds.
    static let lockWaitSeconds = 30.0

    public static func update(path: String, with metrics: OperationMetrics) throws {
        let lockFD = try lock(path + ".lock")
        defer { close(lockFD) }
        removeLeftovers(of: path)
        let text = PrometheusText.render(metrics.merged(into: try existingSamples(path)))
        try replace(path, with: Array(text.utf8))
    }

    /// Opens PATH.lock (never through a link) and takes its exclusive lock, waiting at most `lockWaitSeconds`.
    static func lock(_ lockPath: String) throws -> Int32 {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MetricsFileError.io("open '\(lockPath)'", errno) }
        do {
            try requireRegularFile(fd, lockPath)
            try? directoryOwner(of: lockPath)?.adopt(fd: fd, path: lockPath)
            let deadline = Date().addingTimeInterval(lockWaitSeconds)
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else { throw MetricsFileError.io("lock '\(lockPath)'", errno) }
                guard Date() < deadline else { throw MetricsFileError.lockTimeout(lockPath, lockWaitSeconds) }
                usleep(20_000)
            }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// The samples PATH holds now; none when it does not exist. A link or anything but a regular file is refused,
    /// so a run never copies another file's lines into the world-readable metrics file.
    static func existingSamples(_ path: String) throws -> [MetricSample] {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return [] }
            throw MetricsFileError.io("open '\(path)'", errno)
        }
        defer { close(fd) }
        try requireRegularFile(fd, path)
        var bytes: [UInt8] = [], buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw MetricsFileError.io("read '\(path)'", errno) }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        return PrometheusText.parse(String(decoding: bytes, as: UTF8.self))
    }

    /// Writes `bytes` to a new temporary file beside PATH and renames it over PATH; on any failure the
    /// temporary file is removed and PATH is left as it was.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let (fd, temporary) = try createTemporary(beside: path)
        do {
            try Failpoint.hit("metrics.write.before")
            try write(bytes, to: fd, temporary)
            try Failpoint.hit("metrics.rename.before")
            guard rename(temporary, path) == 0 else { throw MetricsFileError.io("rename '\(temporary)' to '\(path)'", errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncDirectory(of: path)
    }

    /// `PATH.tmp.<random>`, created exclusively: an existing name, a link among them, is never opened.
    static func createTemporary(beside path: String) throws -> (Int32, String) {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        for _ in 0..<100 {
            let temporary = temporaryPrefix(of: path) + String((0..<12).map { _ in alphabet.randomElement()! })
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { return (fd, temporary) }
            guard errno == EEXIST else { throw MetricsFileError.io("create '\(temporary)'", errno) }
        }
        throw MetricsFileError.io("create a temporary file beside '\(path)'", EEXIST)
    }

    /// Writes, sets the mode through the descriptor (never by name) and fsyncs; closes `fd` in every case.
    static func write(_ bytes: [UInt8], to fd: Int32, _ temporary: String) throws {
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw MetricsFileError.io("write '\(temporary)'", errno) }
            written += count
        }
        guard fchmod(fd, 0o644) == 0 else { throw MetricsFileError.io("chmod '\(temporary)'", errno) }
        try? directoryOwner(of: temporary)?.adopt(fd: fd, path: temporary)
        guard fsync(fd) == 0 else { throw MetricsFileError.io("fsync '\(temporary)'", errno) }
    }

    /// Temporary files of runs killed before their rename. Every writer holds the lock while its temporary file
    /// exists, so under the lock any such name is a leftover. Unlinking removes a name, never a link's target.
    static func removeLeftovers(of path: String) {
        let prefix = temporaryPrefix(of: path)
        let directory = (prefix as NSString).deletingLastPathComponent, namePrefix = (prefix as NSString).lastPathComponent
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        where name.hasPrefix(namePrefix) {
            unlink((directory.isEmpty ? "" : directory + "/") + name)
        }
    }

    static func temporaryPrefix(of path: String) -> String { path + ".tmp." }

    /// A run as root hands the metrics file and its lock to the owner of their directory (the textfile
    /// collector's directory, written by the server's OS user's `wal push` too), so it can keep updating them.
    static func directoryOwner(of path: String) -> RepositoryOwner? {
        let directory = (path as NSString).deletingLastPathComponent
        return RepositoryOwner.of(root: directory.isEmpty ? "." : directory)
    }

    static func requireRegularFile(_ fd: Int32, _ path: String) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MetricsFileError.io("stat '\(path)'", errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw MetricsFileError.notRegularFile(path) }
    }

    /// Makes the rename durable; a metrics file that loses its last update in a crash is no failure.
    static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

public enum MetricsFileError: Error, CustomStringConvertible {
    case io(String, Int32)
    case notRegularFile(String)
    case lockTimeout(String, Double)

    public var description: String {
        switch self {
        case let .io(operation, code) where code == ELOOP:
            return "\(operation) failed: it is a symbolic link, and lifeboat never follows links in the metrics directory"
        case let .io(operation, code): return "\(operation) failed: \(String(cString: strerror(code)))"
        case let .notRegularFile(path): return "'\(path)' is not a regular file"
        case let .lockTimeout(path, seconds): return "'\(path)' stayed locked by another process for \(Int(seconds)) s"
        }
    }
}
