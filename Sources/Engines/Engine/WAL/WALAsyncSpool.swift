// WALAsyncSpool: `<wal.spool_dir>/<cluster>/`, the local directory of asynchronous archiving (docs/format.md
// §8.6). It holds the background pusher's lock (`pusher.lock`, flock: released by the kernel when the pusher
// dies), its state (`pusher.json`), one marker per segment it archived (`<name>`, the text of WALPushMarker,
// written durably only after the segment's record is committed) and the last error of a segment whose push
// failed (`<name>.error`, for the waiting archive_command to report), and — only with wal.queue_max — one
// durable record per segment `wal push` dropped (`dropped/<name>`), which nothing deletes but the operator.
// Created mode 0700 by the PostgreSQL OS user that runs archive_command.
import Catalog
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public struct WALAsyncSpool: Sendable {
    public let directory: String
    static let lockName = "pusher.lock"
    static let stateName = "pusher.json"

    public init(root: String, cluster: String) {
        directory = (root.hasSuffix("/") ? String(root.dropLast()) : root) + "/" + cluster
    }

    func markerPath(_ name: WALName) -> String { directory + "/" + name.rawValue }
    func errorPath(_ name: WALName) -> String { directory + "/" + name.rawValue + ".error" }
    var statePath: String { directory + "/" + Self.stateName }

    /// Creates the spool (and its parent) mode 0700 when missing.
    func prepare() throws {
        for path in [Directory.parent(of: directory), directory] where mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw WALError.spoolUnusable(path: path, detail: "mkdir failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Names of the segments that have a marker.
    func markers() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            WALName($0)?.kind == .segment
        }
    }

    func marker(_ name: WALName) -> WALPushMarker? {
        (try? String(contentsOfFile: markerPath(name), encoding: .utf8)).flatMap(WALPushMarker.init(text:))
    }

    /// Temporary file, fsync, rename, fsync of the directory: a marker that exists after a crash is complete.
    func writeMarker(_ marker: WALPushMarker, for name: WALName) throws {
        let file = try WALDestinationFile(markerPath(name))
        do {
            try Array(marker.text.utf8).withUnsafeBytes { try file.write($0) }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    func removeMarker(_ name: String) { unlink(directory + "/" + name) }

    var droppedDirectory: String { directory + "/dropped" }

    /// Records durably that `name` was reported archived without being archived: `<time> <size> <reason>`.
    func recordDrop(_ name: WALName, size: Int64, reason: String, at time: Date) throws {
        if mkdir(droppedDirectory, 0o700) != 0 && errno != EEXIST {
            throw WALError.spoolUnusable(
                path: droppedDirectory, detail: "mkdir failed: \(String(cString: strerror(errno)))")
        }
        let file = try WALDestinationFile(droppedDirectory + "/" + name.rawValue)
        do {
            let line = "\(CatalogCoding.formatTimestamp(time)) \(size) \(reason)\n"
            try Array(line.utf8).withUnsafeBytes { try file.write($0) }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    /// The segments `wal push` dropped, oldest first.
    public func dropped() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: droppedDirectory)) ?? []).filter {
            WALName($0) != nil
        }.sorted()
    }

    /// The reason the last push of `name` failed, and when; nil when none is recorded.
    func error(_ name: WALName) -> (message: String, at: Date)? {
        guard let text = try? String(contentsOfFile: errorPath(name), encoding: .utf8),
            let modified = (try? FileManager.default.attributesOfItem(atPath: errorPath(name)))?[.modificationDate]
                as? Date
        else { return nil }
        return (text.trimmingCharacters(in: .whitespacesAndNewlines), modified)
    }

    /// Informational files (an error, the state) are replaced atomically but not fsynced: losing one in a crash
    /// loses a message, never a segment.
    func writeError(_ message: String, for name: WALName) { replace(errorPath(name), with: message + "\n") }

    func removeError(_ name: WALName) { unlink(errorPath(name)) }

    public func state() -> WALPusherState? {
        guard let data = FileManager.default.contents(atPath: statePath) else { return nil }
        return try? CatalogCoding.decoder().decode(WALPusherState.self, from: data)
    }

    func writeState(_ state: WALPusherState) {
        guard let data = try? CatalogCoding.encoder().encode(state) else { return }
        replace(statePath, with: String(decoding: data, as: UTF8.self) + "\n")
    }

    private func replace(_ path: String, with text: String) {
        let temporary = path + ".tmp.\(getpid()).\(UInt32.random(in: .min ... .max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else { return }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// The pusher's lock, taken without waiting: nil when another pusher of this cluster holds it.
    func lockForPushing() throws -> FileLock? {
        try prepare()
        do {
            let lock = try FileLock(path: directory + "/" + Self.lockName, mode: 0o600)
            return try lock.tryLock() ? lock : nil
        } catch let error as SystemError {
            throw WALError.spoolUnusable(path: directory, detail: "cannot lock the pusher's lock file: \(error.reason)")
        }
    }

    /// Whether a pusher holds the lock. Probes by taking it for an instant, so it is for the archive_command
    /// (PostgreSQL runs one at a time) and not for monitoring, which reads the state's pid instead.
    func pusherIsRunning() -> Bool {
        guard let lock = try? FileLock(path: directory + "/" + Self.lockName, mode: 0o600) else { return false }
        defer { lock.close() }
        return (try? lock.tryLock()) == false
    }
}
