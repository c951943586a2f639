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
}

extension WALArchive {
    public func get(name text: String, destination: String) throws -> WALGetResult {
        let started = Date()
        guard let name = WALName(text) else { throw WALError.invalidName(text) }
        guard let record = try record(name) else { throw WALError.notArchived(name: name.rawValue, cluster: cluster) }
        let key = try objectKey(of: record)
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
        return WALGetResult(name: name.rawValue, destination: destination, size: record.size, sha256: record.sha256,
                            seconds: Date().timeIntervalSince(started))
    }

    /// Streams the object's single entry into `output`, checking it against the record on the way.
    private func restore(key: ObjectKey, record: WALFileRecord, name: WALName, into output: WALDestinationFile) throws {
        let sealed = try SealedObjectReader(store: repository.store, key: key, expected: nil, keyLookup: keyring.lookup)
        let hasher = try SHA256Hasher()
        var written: Int64 = 0
        do {
            let tar = try TarReader { try sealed.read(into: $0) }
            guard let entry = try tar.nextEntry() else {
                throw WALError.contentMismatch(key: key.rawValue, detail: "it holds no file")
            }
            guard entry.name == name.rawValue, entry.size == record.size else {
                throw WALError.contentMismatch(key: key.rawValue, detail: "it holds '\(entry.name)' of \(entry.size) bytes, "
                    + "the record says '\(name)' of \(record.size) bytes")
            }
            var buffer = [UInt8](repeating: 0, count: Self.bufferSize)
            while case let count = try buffer.withUnsafeMutableBytes({ try tar.read(into: $0) }), count > 0 {
                try buffer.withUnsafeBytes { bytes in
                    let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                    hasher.update(chunk)
                    try output.write(chunk)
                }
                written += Int64(count)
            }
            guard try tar.nextEntry() == nil else {
                throw WALError.contentMismatch(key: key.rawValue, detail: "it holds more than one file")
            }
            try sealed.drain()   // authenticates the final chunk even if tar stopped reading early
        } catch let error as ArchiveError {
            throw PipelineError.corruptObject(key: key.rawValue, detail: error.message)
        }
        let digest = Hex.encode(hasher.finalize())
        guard written == record.size, digest == record.sha256 else {
            throw WALError.contentMismatch(key: key.rawValue, detail: "its content has sha256 '\(digest)', the record says '\(record.sha256)'")
        }
    }
}

/// DEST, written durably: a private temporary file next to it, fsync, rename over DEST, fsync the directory.
final class WALDestinationFile {
    let path: String
    let temporaryPath: String
    private let directory: String
    private var fd: Int32
    private var settled = false   // the temporary file was renamed into place or removed

    init(_ path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/"), !path.utf8.contains(0) else {
            throw WALError.destinationUnwritable(path: path, detail: "not a file path")
        }
        self.path = path
        let slash = path.lastIndex(of: "/")
        directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let token = String(UInt64.random(in: .min ... .max), radix: 16)
        temporaryPath = (directory == "/" ? "" : directory) + "/.\(base).lifeboat-\(getpid())-\(token).tmp"
        Self.sweepAbandoned(in: directory)
        fd = Glibc.open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw WALError.destinationUnwritable(path: path, detail: "cannot create a temporary file in '\(directory)': \(String(cString: strerror(errno)))")
        }
    }

    deinit { discard() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let count = Glibc.write(fd, base, remaining)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("write")
            }
            remaining -= count
            base += count
        }
    }

    func commit() throws {
        guard fsync(fd) == 0 else { throw failure("fsync") }
        Glibc.close(fd)
        fd = -1
        guard rename(temporaryPath, path) == 0 else { throw failure("rename") }
        settled = true
        let directoryFD = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            defer { Glibc.close(directoryFD) }
            guard fsync(directoryFD) == 0 else { throw failure("fsync directory") }
        }
    }

    /// Removes temporary files of earlier `wal get` runs that were killed before they could (`.<name>.lifeboat-
    /// <pid>-<random>.tmp` whose pid no longer runs): each would otherwise keep a WAL segment's size in pg_wal.
    static func sweepAbandoned(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            guard let marker = name.range(of: ".lifeboat-", options: .backwards) else { continue }
            let rest = name[marker.upperBound...].dropLast(4)   // "<pid>-<random>"
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink((directory == "/" ? "" : directory) + "/" + name) }
        }
    }

    /// Removes the temporary file unless it was renamed into place; safe to call more than once.
    func discard() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        if !settled { unlink(temporaryPath) }
        settled = true
    }

    private func failure(_ operation: String) -> WALError {
        .destinationUnwritable(path: path, detail: "\(operation) failed: \(String(cString: strerror(errno)))")
    }
}
