// MetricsFileWriter: `--metrics-file PATH`, for node_exporter's textfile collector. Every run updates its own
// samples in the one file and keeps the other operations' (backup, wal push, prune, drill, status all share
// it): under an exclusive flock on PATH.lock it reads the file, merges, writes a new temporary file, fsyncs it,
// renames it over PATH and fsyncs the directory (SystemIO's FileLock and DurableFile), so the collector never
// reads a half-written file and concurrent runs (wal push during a backup) never lose each other's updates.
// The file is 0644: it holds timings and sizes, never secrets.
//
// The metrics directory may be writable by users with fewer privileges than the run (root's backup writing
// into node_exporter's directory), so nothing here follows a link or trusts a name someone else could have
// created: the temporary file gets a random name and is created exclusively (O_EXCL | O_NOFOLLOW) and chmodded
// through its descriptor; PATH and PATH.lock are opened with O_NOFOLLOW and must be regular files; the lock is
// waited for a bounded time, so a lock held by someone else cannot hang a backup.
import Diagnostics
import Foundation
import Metrics
import Storage
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public enum MetricsFileWriter {
    /// How long a run waits for another writer's lock; writers hold it for milliseconds.
    static let lockWaitSeconds = 30.0

    public static func update(path: String, with metrics: OperationMetrics) throws {
        let lock = try self.lock(path + ".lock")
        defer { lock.close() }
        removeLeftovers(of: path)
        let text = PrometheusText.render(metrics.merged(into: try existingSamples(path)))
        try replace(path, with: Array(text.utf8))
    }

    /// Opens PATH.lock (never through a link) and takes its exclusive lock, waiting at most `lockWaitSeconds`.
    static func lock(_ lockPath: String) throws -> FileLock {
        let lock = try mapped { try FileLock(path: lockPath, mode: 0o644, flags: O_NONBLOCK) }
        do {
            try requireRegularFile(lock.descriptor, lockPath)
            try? directoryOwner(of: lockPath)?.adopt(fd: lock.descriptor.rawValue, path: lockPath)
            guard try mapped({ try lock.lock(waitingAtMost: lockWaitSeconds) }) else {
                throw MetricsFileError.lockTimeout(lockPath, lockWaitSeconds)
            }
            return lock
        } catch {
            lock.close()
            throw error
        }
    }

    /// The samples PATH holds now; none when it does not exist. A link or anything but a regular file is refused,
    /// so a run never copies another file's lines into the world-readable metrics file.
    static func existingSamples(_ path: String) throws -> [MetricSample] {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
        } catch let error as SystemError where error.code == ENOENT {
            return []
        } catch let error as SystemError {
            throw MetricsFileError(error)
        }
        defer { fd.close() }
        try requireRegularFile(fd, path)
        let bytes = try mapped { try fd.readToEnd(path: path) }
        return PrometheusText.parse(String(decoding: bytes, as: UTF8.self))
    }

    /// Writes `bytes` to a new temporary file beside PATH (mode 0644, set through its descriptor) and renames
    /// it over PATH, then fsyncs the directory (DurableFile); on any failure before the rename the temporary
    /// file is removed and PATH is left as it was.
    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let file = try createTemporary(beside: path)
        defer { file.discard() }
        try? directoryOwner(of: file.temporaryPath)?.adopt(fd: file.descriptor.rawValue, path: file.temporaryPath)
        try Failpoint.hit("metrics.write.before")
        try mapped { try file.write(bytes) }
        try Failpoint.hit("metrics.rename.before")
        try mapped { try file.commit() }
    }

    /// `PATH.tmp.<random>`, created exclusively: an existing name, a link among them, is never opened.
    static func createTemporary(beside path: String) throws -> DurableFile {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        do {
            return try DurableFile(replacing: path, mode: 0o644, attempts: 100) {
                temporaryPrefix(of: path) + String((0..<12).map { _ in alphabet.randomElement()! })
            }
        } catch let error as SystemError where error.code == EEXIST {
            throw MetricsFileError.io("create a temporary file beside '\(path)'", EEXIST)  // 100 names taken
        } catch let error as SystemError where error.operation == "open" {
            throw MetricsFileError.io("create '\(error.path)'", error.code)
        } catch let error as SystemError {
            throw MetricsFileError(error)
        }
    }

    /// Temporary files of runs killed before their rename. Every writer holds the lock while its temporary file
    /// exists, so under the lock any such name is a leftover. Unlinking removes a name, never a link's target.
    static func removeLeftovers(of path: String) {
        let prefix = temporaryPrefix(of: path)
        let directory = (prefix as NSString).deletingLastPathComponent
        let namePrefix = (prefix as NSString).lastPathComponent
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

    static func requireRegularFile(_ fd: FileDescriptor, _ path: String) throws {
        guard try mapped({ try fd.isRegularFile(path: path) }) else { throw MetricsFileError.notRegularFile(path) }
    }

    /// Runs SystemIO calls, reporting a failure as MetricsFileError.io ("write 'PATH.tmp.x'", errno).
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        try SystemError.mapped(body, into: MetricsFileError.init)
    }
}

public enum MetricsFileError: Error, CustomStringConvertible {
    case io(String, Int32)
    case notRegularFile(String)
    case lockTimeout(String, Double)

    init(_ error: SystemError) {
        self = .io(error.subject, error.code)
    }

    public var description: String {
        switch self {
        case .io(let operation, let code) where code == ELOOP:
            return
                "\(operation) failed: it is a symbolic link, and lifeboat never follows links in the metrics directory"
        case .io(let operation, let code): return "\(operation) failed: \(String(cString: strerror(code)))"
        case .notRegularFile(let path): return "'\(path)' is not a regular file"
        case .lockTimeout(let path, let seconds):
            return "'\(path)' stayed locked by another process for \(Int(seconds)) s"
        }
    }
}
