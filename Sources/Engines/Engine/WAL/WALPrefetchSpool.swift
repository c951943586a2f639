// WALPrefetchSpool: `pg_wal/lifeboat-prefetch/`, where the background prefetcher leaves segments recovery is
// about to ask for. It lives next to restore_command's DEST (`%p` is `pg_wal/RECOVERYXLOG`), so taking a
// spooled segment is one rename on the same file system. The directory is created mode 0700 by the user
// running restore_command (the server's OS user), inside a data directory only that user can read.
//
// Invariant: a file named like a segment in the spool is a complete copy that passed every check of
// `wal get` (authenticated chunks, entry name and size, plaintext SHA-256 against the record); it is written
// as a temporary file, fsynced and renamed into place by WALArchive.get. One prefetcher at a time holds the
// flock on `.lock`; `take` needs no lock because rename is atomic. `.asked` names the segment recovery asked for
// last (written by `wal get`, informational: losing it costs a download, never a wrong file): the running
// prefetcher follows it, so `wal get` starts one only when none holds the lock.
import Catalog
import Foundation
import Storage
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public struct WALPrefetchSpool: Sendable {
    public static let directoryName = WALPrefetchPlan.spoolDirectoryName
    static let lockName = ".lock"
    static let askedName = ".asked"
    public let directory: String

    /// The spool beside DEST (restore_command's `%p`).
    public init(destination: String) {
        directory = WALPrefetchPlan.spoolDirectory(destination: destination)
    }

    public init(directory: String) { self.directory = directory }

    public func path(_ name: WALName) -> String { directory + "/" + name.rawValue }

    /// `wal get` from the spool: moves the spooled copy of segment `name` to `destination` and deletes the
    /// spooled segments recovery has passed; nil when it is not spooled. Needs no repository access (the copy
    /// was verified when spooled), so it works before the repository is opened — and while it is unreachable.
    public func deliver(_ name: WALName, to destination: String) throws -> WALGetResult? {
        let started = Date()
        defer { removePassed(asked: name) }
        guard name.kind == .segment, try take(name, to: destination) else { return nil }
        var info = stat()
        let size = stat(destination, &info) == 0 ? Int64(info.st_size) : 0
        return WALGetResult(
            name: name.rawValue, destination: destination, size: size, sha256: "",
            seconds: Date().timeIntervalSince(started), fromPrefetchSpool: true)
    }

    /// Moves the spooled copy of `name` to `destination` and fsyncs the directory; false when it is not spooled.
    func take(_ name: WALName, to destination: String) throws -> Bool {
        do {
            try DurableFile.move(path(name), to: destination)
        } catch let error as SystemError where error.operation == "rename" {
            if error.code == ENOENT { return false }
            throw WALError.destinationUnwritable(
                path: destination,
                detail: "rename from the prefetch spool failed: \(error.reason)")
        } catch is SystemError {
            throw WALError.destinationUnwritable(path: destination, detail: "fsync directory failed")
        }
        return true
    }

    /// Deletes spooled segments recovery has passed now that it asked for `asked` (a wrong guess, or a copy
    /// the prefetcher finished after `wal get` fetched the segment itself).
    public func removePassed(asked: WALName) {
        for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where WALPrefetchPlan.isPassed(fileName: file, asked: asked) {
            unlink(directory + "/" + file)
        }
    }

    /// Records that recovery asked for `name`, for the running prefetcher to follow: replaced atomically, not
    /// fsynced (a crash loses a hint, never a segment). Nothing is written before a prefetcher created the spool.
    public func recordAsked(_ name: WALName) {
        let target = directory + "/" + Self.askedName
        let temporary = target + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let text = Array((name.rawValue + "\n").utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written != text.count || rename(temporary, target) != 0 { unlink(temporary) }
    }

    /// The segment recovery asked for last (`recordAsked`); nil when none is recorded.
    func asked() -> WALName? {
        let fd = open(directory + "/" + Self.askedName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return WALName(text).flatMap { $0.kind == .segment ? $0 : nil }
    }

    /// Whether a prefetcher holds the spool's lock (probed by taking it for an instant; false when the spool does
    /// not exist yet). `wal get` starts one only when this is false.
    public func prefetcherIsRunning() -> Bool {
        guard let lock = try? FileLock(path: directory + "/" + Self.lockName, mode: 0o600) else { return false }
        defer { lock.close() }
        return (try? lock.tryLock()) == false
    }

    /// Creates the spool (0700) and takes the prefetcher's lock without waiting: nil when another prefetcher
    /// holds it. The lock is released when the returned lock is closed (at process exit at the latest).
    func lockForPrefetching() throws -> FileLock? {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw WALError.destinationUnwritable(
                path: directory, detail: "mkdir failed: \(String(cString: strerror(errno)))")
        }
        do {
            let lock = try FileLock(path: directory + "/" + Self.lockName, mode: 0o600)
            return try lock.tryLock() ? lock : nil
        } catch let error as SystemError where error.operation == "open" {
            throw WALError.destinationUnwritable(path: directory, detail: "cannot open the lock file: \(error.reason)")
        } catch let error as SystemError {
            throw WALError.destinationUnwritable(path: directory, detail: "cannot lock the lock file: \(error.reason)")
        }
    }

    /// Temporary files of a prefetcher that was killed mid-download; only called while holding the lock.
    func removeLeftoverTemporaryFiles() {
        for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where file.hasSuffix(".tmp")
        {
            unlink(directory + "/" + file)
        }
    }

    /// Removes the whole spool (after recovery ended: nothing will ask for its files any more). `restore --start`
    /// runs this as root inside a data directory the server's OS user owns, so through descriptors only
    /// (DirectoryHandle): a link that user puts in place of pg_wal, the spool or a file in it is never followed.
    public func remove() {
        guard let slash = directory.lastIndex(of: "/"), slash != directory.startIndex,
            let parent = try? DirectoryHandle.open(String(directory[..<slash]))
        else { return }
        try? parent.remove(String(directory[directory.index(after: slash)...]))
    }
}
