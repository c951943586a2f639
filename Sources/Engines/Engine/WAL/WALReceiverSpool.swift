// WALReceiverSpool: the local files `wal receive` writes the segments it receives into, in a private
// directory `$TMPDIR/lifeboat-receive-<uid>-<cluster>/` (mode 0700, owned by this user, never a link), under a
// flock so one receiver per cluster runs on a host. Disk use is at most five segments (the one being filled and
// up to four waiting for WALReceiverStorer); nothing in it needs to survive a crash: a restarted receiver starts again where the repository's archive ends.
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class WALReceiverSpool {
    let directory: String
    private let lock: FileLock

    init(cluster: String, environment: [String: String]) throws {
        var base = environment["TMPDIR"] ?? "/tmp"
        if base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        directory = base + "/lifeboat-receive-\(geteuid())-\(cluster)"
        try Self.prepare(directory)
        let lockPath = directory + "/.lock"
        do {
            lock = try FileLock(path: lockPath, flags: O_NONBLOCK)
            guard try lock.tryLock() else { throw WALReceiveError.alreadyRunning(cluster: cluster, lock: lockPath) }
        } catch let error as SystemError {
            throw WALReceiveError.spoolUnusable(path: directory, detail: error.reason)
        }
        removeFiles()
    }

    deinit { lock.close() }

    /// Creates the directory, or accepts an existing one only when it is a real directory of ours, mode 0700.
    static func prepare(_ path: String) throws {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw WALReceiveError.spoolUnusable(path: path, detail: String(cString: strerror(errno)))
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw WALReceiveError.spoolUnusable(path: path, detail: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(), (info.st_mode & 0o777) == 0o700 else {
            throw WALReceiveError.spoolUnusable(path: path, detail: "not a private directory of this user")
        }
    }

    func path(_ name: String) -> String { directory + "/" + name }

    /// Deletes everything but the lock (files of an earlier run, or of the segment just archived).
    func removeFiles() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names where name != ".lock" { unlink(path(name)) }
    }
}
