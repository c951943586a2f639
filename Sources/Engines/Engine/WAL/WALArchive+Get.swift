// WALArchive.get: PostgreSQL's restore_command. Restores one archived WAL file to DEST atomically: the bytes
// of the object the record names go to a temporary file in DEST's directory, are authenticated (every sealed
// chunk), checked against the record (one tar entry with the file's name and size, plaintext SHA-256), fsynced and only then renamed into
// place. Any failure leaves DEST untouched. A name that is not archived is `WALError.notArchived`, which the
// command reports quietly: PostgreSQL asks for files that do not exist all the time.
import ArchiveIO
import Catalog
import Cipher
import Diagnostics
import Foundation
import Pipeline
import Storage
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public struct WALGetResult: Codable, Sendable {
    public var name: String
    public var destination: String
    public var size: Int64
    /// Empty when the file came from the prefetch spool (it was checked against its record when spooled).
    public var sha256: String
    public var seconds: Double
    public var fromPrefetchSpool: Bool = false
    /// Set when a partial segment was served (§8.7): its valid bytes; the rest of the file is zeros.
    public var partialBytes: Int64?
}

extension WALArchive {
    /// Whether `wal get` of `name` may find anything: its record exists (§8.5), or for a segment (with
    /// `allowPartial`) a partial of the receiver does. Reads no sealed object, so it needs no key: the probes
    /// PostgreSQL makes at every recovery end (the next segment, `.history` files) are answered "not archived"
    /// without reading key slots and unwrapping the master key (scrypt, for a passphrase). A false answer is
    /// final for this call, as a missing record is; a true one is checked again by `get`.
    public static func mayServe(
        _ name: WALName, repository: Repository, cluster: String, allowPartial: Bool = true
    ) throws -> Bool {
        if try repository.store.exists(try ObjectKey(RepositoryLayout.walRecord(cluster: cluster, name: name))) {
            return true
        }
        guard allowPartial, name.kind == .segment else { return false }
        return try repository.store.exists(try ObjectKey(RepositoryLayout.walPartial(cluster: cluster, segment: name)))
    }

    /// `allowPartial`: a segment that is not archived may be served from the receiver's partial (never to the
    /// prefetcher: a partial fetched ahead could end recovery early once the full segment exists).
    /// `fetching` is called with the file's size once its record is read, before its object is: `wal get` starts
    /// the prefetcher there, so the next segments download while this one does.
    public func get(
        name text: String, destination: String, allowPartial: Bool = true, fetching: ((Int64) -> Void)? = nil
    ) throws -> WALGetResult {
        let started = Date()
        guard let name = WALName(text) else { throw WALError.invalidName(text) }
        guard let record = try record(name) else {
            if allowPartial, let served = try getPartial(name, destination: destination, started: started) {
                return served
            }
            throw WALError.notArchived(name: name.rawValue, cluster: cluster)
        }
        let key = try objectKey(of: record)
        fetching?(record.size)
        let output = try WALDestinationFile(destination)
        let temporary = output.temporaryPath
        let token = Interruption.shared.register { unlink(temporary) }
        defer { Interruption.shared.unregister(token) }
        do {
            try restore(key: key, record: record, name: name, into: output)
            try Failpoint.hit("wal.get.rename.before")
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        context.logger.info("wal file restored", metadata: ["wal": "\(name)", "bytes": "\(record.size)"])
        return WALGetResult(
            name: name.rawValue, destination: destination, size: record.size, sha256: record.sha256,
            seconds: Date().timeIntervalSince(started))
    }

    /// Streams the object's single entry into `output`, checking it against the record on the way.
    private func restore(key: ObjectKey, record: WALFileRecord, name: WALName, into output: WALDestinationFile) throws {
        try WALObjectReader.read(
            store: repository.store, key: key, record: record, name: name, lookup: keyring.lookup
        ) { try output.write($0) }
    }
}

/// DEST, written durably (SystemIO's DurableFile): a private temporary file next to it, fsync, rename over DEST,
/// fsync the directory.
final class WALDestinationFile {
    let path: String
    let temporaryPath: String
    private let directory: String
    private let file: DurableFile

    init(_ path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/"), !path.utf8.contains(0) else {
            throw WALError.destinationUnwritable(path: path, detail: "not a file path")
        }
        self.path = path
        directory = Directory.parent(of: path)
        let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        let token = String(UInt64.random(in: .min ... .max), radix: 16)
        let temporary = (directory == "/" ? "" : directory) + "/.\(base).lifeboat-\(getpid())-\(token).tmp"
        temporaryPath = temporary
        Self.sweepAbandoned(in: directory)
        do {
            file = try DurableFile(replacing: path, mode: 0o600) { temporary }
        } catch let error as SystemError {
            let detail = "cannot create a temporary file in '\(directory)': \(error.reason)"
            throw WALError.destinationUnwritable(path: path, detail: detail)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try mapped { try file.write(bytes) }
    }

    func commit() throws {
        try mapped { try file.commit() }
    }

    /// Removes temporary files of earlier `wal get` runs that were killed before they could (`.<name>.lifeboat-
    /// <pid>-<random>.tmp` whose pid no longer runs): each would otherwise keep a WAL segment's size in pg_wal.
    static func sweepAbandoned(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            guard let marker = name.range(of: ".lifeboat-", options: .backwards) else { continue }
            let rest = name[marker.upperBound...].dropLast(4)  // "<pid>-<random>"
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink((directory == "/" ? "" : directory) + "/" + name) }
        }
    }

    /// Removes the temporary file unless it was renamed into place; safe to call more than once.
    func discard() {
        file.discard()
    }

    /// A failed step as `wal get` has always named it ("fsync failed", "fsync directory failed: …").
    private func mapped(_ body: () throws -> Void) throws {
        try SystemError.mapped(body) { error in
            let step = error.path == directory ? error.operation + " directory" : error.operation
            return WALError.destinationUnwritable(path: path, detail: "\(step) failed: \(error.reason)")
        }
    }
}
