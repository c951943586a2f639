// WALArchive.push(path:alongWithReady:): `wal push %p` that also archives up to N other `.ready` segments in
// parallel, so a backlog (a burst of writes, a repository that was unreachable for a while) drains N+1 files
// per archive_command call instead of one. Each extra segment gets a marker `pg_wal/lifeboat-pushed/<name>`
// (`<size> <sha256>`) once its record is committed; PostgreSQL's own later `wal push` of that name hashes
// the local file, and when it matches the marker returns success without touching the repository, then
// deletes the marker.
//
// Why this is safe:
// - A marker is written only after push() succeeded for that file: a record committing exactly that size and
//   plaintext SHA-256 exists. A crash before the marker is written just means the later call takes the
//   normal path (the record comparison).
// - The later call compares the file PostgreSQL hands over now with the marker; a mismatch deletes the
//   marker and falls back to the normal push, which refuses a different file under an archived name.
// - A `.ready` segment is complete and PostgreSQL neither changes nor recycles it before it is archived by
//   PostgreSQL's own call, so pushing it early uploads what PostgreSQL would upload.
// - Pushes of different names share nothing but the store; a race on one name is settled by the record's
//   exclusive create, as for any two pushers. A failed extra push is only logged: PostgreSQL will ask for it.
// - Only plain segments are pushed early; history, backup history and .partial files keep PostgreSQL's order.
// What the marker path skips is the check that the archived object still exists (the normal re-push stores
// a vanished object again); markers live for seconds, and `verify --wal` reports a missing object.
import Catalog
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension WALArchive {
    public func push(path: String, alongWithReady limit: Int) throws -> WALPushResult {
        if let marked = try Self.pushedEarlier(path: path, context: context) { return marked }
        guard limit > 0, let name = WALName(fileAt: path), name.kind == .segment else { return try push(path: path) }
        let directory = Self.directory(of: path)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/archive_status")) ?? []
        let others = WALReadyPlan.select(statusEntries: entries, besides: name, limit: limit)
            .filter { !FileManager.default.fileExists(atPath: Self.markerPath(directory: directory, name: $0)) }
        let tasks = others.map { other in
            BackgroundTask(name: "wal push \(other)") { [self] in
                try pushEarly(directory + "/" + other.rawValue, name: other)
            }
        }
        let result = Result { try push(path: path) }
        var pushed: [String] = []
        for (other, task) in zip(others, tasks) {
            do {
                try task.join()
                pushed.append(other.rawValue)
            } catch {
                context.logger.warning(
                    "early push of a ready segment failed; PostgreSQL will archive it itself",
                    metadata: ["wal": "\(other)", "error": "\(error)"])
            }
        }
        removeStaleMarkers(directory: directory)
        var main = try result.get()
        main.alsoPushed = pushed
        return main
    }

    /// PostgreSQL's call for a file pushed early: success without the repository (not even opened: no key
    /// unlock, no request) when the file still has the marker's size and SHA-256; nil (after deleting a
    /// mismatching marker) means push as usual.
    public static func pushedEarlier(path: String, context: EngineContext) throws -> WALPushResult? {
        let started = Date()
        guard let name = WALName(fileAt: path), name.kind == .segment else { return nil }
        let markerPath = Self.markerPath(directory: Self.directory(of: path), name: name)
        guard let text = try? String(contentsOfFile: markerPath, encoding: .utf8) else { return nil }
        defer { unlink(markerPath) }
        let file = try WALSourceFile(path: path)
        defer { file.close() }
        guard let marker = WALPushMarker(text: text), marker.size == file.size, try file.sha256() == marker.sha256
        else {
            context.logger.warning(
                "a push marker does not match the file; archiving it as usual", metadata: ["wal": "\(name)"])
            return nil
        }
        context.logger.info("wal file already archived (pushed early)", metadata: ["wal": "\(name)"])
        return WALPushResult(
            name: name.rawValue, object: marker.object ?? "", size: file.size,
            storedSize: nil, sha256: marker.sha256, alreadyArchived: true, seconds: Date().timeIntervalSince(started))
    }

    /// Pushes a ready segment and records the marker after its record is committed.
    func pushEarly(_ path: String, name: WALName) throws {
        let result = try push(path: path)
        let directory = Self.directory(of: path) + "/" + WALPushMarker.directoryName
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw WALError.destinationUnwritable(
                path: directory, detail: "mkdir failed: \(String(cString: strerror(errno)))")
        }
        let marker = try WALDestinationFile(directory + "/" + name.rawValue)
        do {
            try Array(WALPushMarker(size: result.size, sha256: result.sha256, object: result.object).text.utf8)
                .withUnsafeBytes { try marker.write($0) }
            try marker.commit()
        } catch {
            marker.discard()
            throw error
        }
    }

    /// Markers whose segment is gone from pg_wal (PostgreSQL archived and recycled it through another path).
    func removeStaleMarkers(directory: String) {
        let markers = directory + "/" + WALPushMarker.directoryName
        for file in (try? FileManager.default.contentsOfDirectory(atPath: markers)) ?? []
        where WALName(file) != nil && !FileManager.default.fileExists(atPath: directory + "/" + file) {
            unlink(markers + "/" + file)
        }
    }

    /// What PostgreSQL still waits to archive besides and including `path` (the `.ready` files of its
    /// pg_wal/archive_status), and how long the oldest has waited (from its `.ready` file's modification time,
    /// which PostgreSQL sets when the file is complete); nil when `path` is not in a pg_wal with archive_status.
    public static func readyBacklog(path: String, now: Date) -> WALReadyBacklog? {
        let status = directory(of: path) + "/archive_status"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: status) else { return nil }
        var count = 0
        var oldest: Date?
        for entry in WALReadyPlan.waiting(statusEntries: entries) {
            // A file archived meanwhile is renamed to .done: it no longer waits.
            guard
                let modified = (try? FileManager.default.attributesOfItem(atPath: status + "/" + entry))?[
                    .modificationDate] as? Date
            else { continue }
            count += 1
            oldest = min(oldest ?? modified, modified)
        }
        return WALReadyBacklog(
            files: count, oldestWaitingSeconds: oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func markerPath(directory: String, name: WALName) -> String {
        directory + "/" + WALPushMarker.directoryName + "/" + name.rawValue
    }
}

/// The archive backlog `wal push` saw: files PostgreSQL waits to archive, and the oldest one's wait.
public struct WALReadyBacklog: Sendable, Equatable {
    public var files: Int
    public var oldestWaitingSeconds: Double
}
