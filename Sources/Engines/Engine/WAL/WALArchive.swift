// WALArchive: continuous archiving of one cluster's WAL (docs/format.md §8). `push` is PostgreSQL's
// archive_command, `get` (WALArchive+Get.swift) its restore_command.
//
// A file is archived exactly when its sealed record `<name>.meta.lbx` exists. Push stores the sealed tar
// object under a name of its own and then creates the record exclusively, naming that object
// (WALArchive+Commit.swift), so a crash in between leaves an object no record names (never restored; prune
// removes it) and two pushes of one name can never leave a record naming the other's bytes. The record carries
// the file's plaintext size and SHA-256: a re-push compares them without downloading anything, succeeds for the
// same file, and refuses a different file under the same name (README "WAL is safe"). Segments also prove
// which database system wrote them (xlp_sysid); the first one pins the cluster's system identifier, and WAL of
// any other system is refused.
//
// Push takes no lock: PostgreSQL archives one file at a time, backups run concurrently, and the exclusive
// creates of the record and of the system identifier settle any race between two pushers.
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

public struct WALPushResult: Codable, Sendable {
    public var name: String
    public var object: String
    public var size: Int64
    public var storedSize: Int64?
    public var sha256: String
    public var alreadyArchived: Bool
    public var seconds: Double
    /// Other `.ready` segments this call archived alongside (WALArchive+ReadyPush.swift).
    public var alsoPushed: [String] = []
    /// wal.queue_max: the file was reported archived WITHOUT being archived (WALAsyncHandover.swift).
    public var dropped: Bool = false
}

public final class WALArchive: Sendable {  // immutable; ReadyPush runs pushes on several threads
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    /// The system identifier and the exclusive-create proof, reused across this archive's pushes for a while.
    let cache: WALPushCache
    var cluster: String { context.config.cluster }
    static let bufferSize = 1 << 20

    public convenience init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.init(context: context, repository: repository, keyring: keyring, cache: WALPushCache())
    }

    init(context: EngineContext, repository: Repository, keyring: Keyring, cache: WALPushCache) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
        self.cache = cache
    }

    /// Archives the WAL file at `path`; succeeds without uploading when the identical file is already archived.
    public func push(path: String) throws -> WALPushResult {
        try push(path: path, watchingIdentity: false, opened: { _ in })
    }

    /// `opened` sees the file this push reads, before any of it is read: it is opened watching its identity
    /// (WALSourceFile.settledIdentity), which only the pusher records.
    func push(path: String, opened: (WALSourceFile) -> Void) throws -> WALPushResult {
        try push(path: path, watchingIdentity: true, opened: opened)
    }

    private func push(path: String, watchingIdentity: Bool, opened: (WALSourceFile) -> Void) throws -> WALPushResult {
        let started = Date()
        guard let name = WALName(fileAt: path) else { throw WALError.invalidName(path) }
        let file = try WALSourceFile(path: path, watchingIdentity: watchingIdentity)
        defer { file.close() }
        opened(file)
        var systemIdentifier: UInt64?
        if name.isSegmentFile {
            let header = try segmentHeader(file, name: name)
            try pinSystemIdentifier(header, name: name)
            systemIdentifier = header.systemIdentifier
            try archiveTimelineHistory(of: name, besides: path)
        }
        if let existing = try record(name) {
            return try confirmArchived(existing, file: file, name: name, started: started)
        }
        return try commit(file, name: name, systemIdentifier: systemIdentifier, started: started)
    }

    // MARK: timeline history

    /// PostgreSQL marks a new timeline's history file for archiving only when archive_mode is on at promotion.
    /// A restored server promoted with archive_mode=off (restore --start) and later turned into an archiving
    /// primary would archive timeline T's segments without `T.history`, and a restore of 'latest' would then
    /// silently stay on the parent timeline. So a segment of timeline T > 1 is archived only after its history
    /// file: when pg_wal (the segment's directory) holds it and archive_status has neither `.ready` (PostgreSQL
    /// archives history files before segments) nor `.done`, it is pushed here and marked `.done`, PostgreSQL's own
    /// "archived" mark, so later segments cost one stat.
    func archiveTimelineHistory(of name: WALName, besides path: String) throws {
        guard name.timeline > 1 else { return }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let history = String(format: "%08X.history", name.timeline)
        let status = directory + "/archive_status/" + history
        let manager = FileManager.default
        guard manager.fileExists(atPath: directory + "/" + history), !manager.fileExists(atPath: status + ".ready"),
            !manager.fileExists(atPath: status + ".done")
        else { return }
        _ = try push(path: directory + "/" + history)
        context.logger.notice(
            "archived \(history) with \(name): PostgreSQL had not marked it for archiving (archive_mode was off at promotion)"
        )
        if manager.fileExists(atPath: directory + "/archive_status") {
            _ = manager.createFile(atPath: status + ".done", contents: nil, attributes: [.posixPermissions: 0o600])
        }
    }

    // MARK: records

    func recordKey(_ name: WALName) throws -> ObjectKey {
        try ObjectKey(RepositoryLayout.walRecord(cluster: cluster, name: name))
    }

    /// The record committing `name`, or nil when the name is not archived. A record that authenticates but
    /// names another file or cluster (copied into place) is an integrity failure.
    func record(_ name: WALName) throws -> WALFileRecord? {
        let key = try recordKey(name)
        let bytes: [UInt8]
        do {
            bytes = try repository.getSealed(key, lookup: keyring.lookup)
        } catch StoreError.notFound {
            return nil
        }
        guard let record = try? CatalogCoding.decoder().decode(WALFileRecord.self, from: Data(bytes)) else {
            throw WALError.recordMismatch(key: key.rawValue, detail: "it does not decode as a WAL record")
        }
        guard record.name == name.rawValue, record.cluster == cluster else {
            throw WALError.recordMismatch(
                key: key.rawValue, detail: "it describes '\(record.name)' of cluster '\(record.cluster)'")
        }
        guard record.objectName != nil else {
            throw WALError.recordMismatch(
                key: key.rawValue, detail: "it names '\(record.object ?? "")', which is not an object of '\(name)'")
        }
        return record
    }

    /// The key of the object `record` commits (checked by `record(_:)`).
    func objectKey(of record: WALFileRecord) throws -> ObjectKey {
        guard let object = record.objectName else {
            let key = WALName(record.name).map { RepositoryLayout.walRecord(cluster: cluster, name: $0) } ?? record.name
            throw WALError.recordMismatch(
                key: key, detail: "it names '\(record.object ?? "")', which is not an object of '\(record.name)'")
        }
        return try ObjectKey(RepositoryLayout.walObject(cluster: cluster, object: object))
    }

    func requireSame(_ record: WALFileRecord, file: WALSourceFile, name: WALName, fileDigest: String) throws {
        guard record.size == file.size, record.sha256 == fileDigest else {
            throw WALError.differentFileArchived(
                name: name.rawValue, cluster: cluster,
                key: RepositoryLayout.walRecord(cluster: cluster, name: name))
        }
    }

    func createSealedExclusively(_ key: ObjectKey, _ plaintext: [UInt8]) throws -> Bool {
        let sealing = keyring.current
        let sealed = try SealingEncoder.seal(plaintext, dataKey: sealing.key, keyID: sealing.keyId)
        return try repository.store.createExclusive(key, data: sealed)
    }

    // MARK: system identifier

    private func segmentHeader(_ file: WALSourceFile, name: WALName) throws -> WALSegmentHeader {
        do {
            let header = try WALSegmentHeader(try file.prefix(WALSegmentHeader.size))
            try header.check(name: name, fileSize: file.size)
            return header
        } catch let problem as WALSegmentHeader.Problem {
            throw WALError.notASegment(path: file.path, detail: problem.description)
        }
    }

    /// The first segment pushed records its system identifier; every later one must match it. The record is
    /// read once a minute at most per archive (WALPushCache): it is written once and never changes.
    private func pinSystemIdentifier(_ header: WALSegmentHeader, name: WALName) throws {
        let found = String(header.systemIdentifier)
        let recorded = try cache.pinnedSystemIdentifier() ?? readOrCreateSystemRecord(header, name: name)
        guard recorded == found else {
            throw WALError.systemIdentifierMismatch(
                name: name.rawValue, cluster: cluster, found: found, recorded: recorded)
        }
    }

    /// The identifier the system record holds, created from `header` when there is none.
    private func readOrCreateSystemRecord(_ header: WALSegmentHeader, name: WALName) throws -> String {
        let key = try ObjectKey(RepositoryLayout.walSystemIdentifier(cluster: cluster))
        let found = String(header.systemIdentifier)
        var recorded = try systemRecord(key)
        if recorded == nil {
            let fresh = WALSystemRecord(
                cluster: cluster, systemIdentifier: found, segmentSize: Int64(header.segmentSize),
                firstFile: name.rawValue, recordedAt: context.now())
            if try createSealedExclusively(key, Array(try CatalogCoding.encoder().encode(fresh))) {
                context.logger.notice("wal archive of cluster '\(cluster)' belongs to database system \(found)")
                cache.rememberSystemIdentifier(found)
                return found
            }
            recorded = try systemRecord(key)  // lost a race with another first push
        }
        guard let recorded else {
            throw WALError.recordMismatch(key: key.rawValue, detail: "it vanished while being read")
        }
        cache.rememberSystemIdentifier(recorded.systemIdentifier)
        return recorded.systemIdentifier
    }

    private func systemRecord(_ key: ObjectKey) throws -> WALSystemRecord? {
        let bytes: [UInt8]
        do {
            bytes = try repository.getSealed(key, lookup: keyring.lookup)
        } catch StoreError.notFound {
            return nil
        }
        guard let record = try? CatalogCoding.decoder().decode(WALSystemRecord.self, from: Data(bytes)),
            record.cluster == cluster
        else {
            throw WALError.recordMismatch(
                key: key.rawValue, detail: "it is not the system identifier record of cluster '\(cluster)'")
        }
        return record
    }

    // MARK: upload

    var compression: ArchiveCompression { CompressionTuning.filter(context.config.compression) }

    /// Streams the file into one tar entry named after it, hashing the plaintext on the way.
    func upload(_ file: WALSourceFile, name: WALName, key: ObjectKey) throws -> (CommittedObject, String) {
        let inFlight = WrittenObjects(store: repository.store)  // the signal path aborts the upload through it
        let token = Interruption.shared.register { inFlight.removeAll(immediately: true) }
        defer { Interruption.shared.unregister(token) }
        // No ledger hash of the stored bytes: the record binds the plaintext's SHA-256 (computed here) instead.
        let writer = try inFlight.begin {
            try SealedObjectWriter(
                store: repository.store, key: key, sealingKey: keyring.current,
                compression: compression, level: context.walCompressionLevel, ledger: false)
        }
        do {
            let hasher = try SHA256Hasher()
            try writer.tar.beginEntry(
                name: name.rawValue, size: file.size, mode: 0o600, modificationTime: file.modified)
            try file.stream { bytes in
                hasher.update(bytes)
                try writer.tar.write(bytes)
            }
            try writer.tar.finishEntry()
            return (try writer.commit(), Hex.encode(hasher.finalize()))
        } catch {
            writer.abort(error)
            throw error
        }
    }
}

/// A WAL file handed over by PostgreSQL, read with plain POSIX calls: its size comes from the open file,
/// never from an assumed segment size.
final class WALSourceFile {
    let path: String
    let size: Int64
    let modified: Date
    /// The open file's identity (WALFileIdentity).
    let identity: WALFileIdentity
    /// With `watchingIdentity`: the wall clock just before the identity was taken (else nil).
    let lookedAtNanoseconds: Int64?
    private var fd: Int32

    /// `limit` reads only the first bytes of a file that may be longer (the receiver's segment being filled).
    /// `watchingIdentity` (the pusher, which records identities in markers) also reads the clock at open and
    /// fstats again at close, for `settledIdentity`; nobody else pays for that.
    init(path: String, size limit: Int64? = nil, watchingIdentity: Bool = false) throws {
        self.path = path
        fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WALError.fileUnreadable(path: path, detail: String(cString: strerror(errno))) }
        var info = stat()
        var now = timespec()
        if watchingIdentity { clock_gettime(CLOCK_REALTIME, &now) }
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(fd)
            throw WALError.fileUnreadable(path: path, detail: "not a regular file")
        }
        size = min(Int64(info.st_size), limit ?? Int64.max)
        modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
        identity = Self.identity(info)
        lookedAtNanoseconds = watchingIdentity ? Self.nanoseconds(now) : nil
    }

    static func identity(_ info: stat) -> WALFileIdentity {
        WALFileIdentity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), modifiedNanoseconds: nanoseconds(info.st_mtim),
            changedNanoseconds: nanoseconds(info.st_ctim))
    }

    static func nanoseconds(_ time: timespec) -> Int64 { Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec) }

    /// The identity to record for the bytes read through this descriptor: nil unless it was opened watching its
    /// identity, the file had settled (WALFileIdentity.isSettled) and fstat still gives exactly the identity
    /// taken at open. Usable after close: the identity is checked again when the file is closed, after
    /// everything was read.
    func settledIdentity() -> WALFileIdentity? {
        guard let lookedAtNanoseconds, identity.isSettled(lookedAtNanoseconds: lookedAtNanoseconds),
            unchangedWhenClosed
        else { return nil }
        return identity
    }

    private var unchangedWhenClosed = false

    deinit { close() }

    func close() {
        guard fd >= 0 else { return }
        if lookedAtNanoseconds != nil {
            var info = stat()
            unchangedWhenClosed =
                fstat(fd, &info) == 0 && Self.identity(info) == identity && Int64(info.st_size) == size
        }
        Glibc.close(fd)
        fd = -1
    }

    func prefix(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try readable {
            try bytes.withUnsafeMutableBytes { try descriptor.read(into: $0, at: 0, path: path) }
        }
        return Array(bytes[0..<read])
    }

    /// Hands the first `size` bytes to `body` in order, from offset 0 (pread: independent of earlier reads).
    /// A file shorter than its size at open time is an error.
    func stream(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: WALArchive.bufferSize)
        var offset: Int64 = 0
        while offset < size {
            let wanted = Int(min(Int64(buffer.count), size - offset))
            let count = try readable {
                try buffer.withUnsafeMutableBytes {
                    let window = UnsafeMutableRawBufferPointer(rebasing: $0[0..<wanted])
                    return try descriptor.read(into: window, at: offset, path: path)
                }
            }
            guard count > 0 else {
                throw WALError.fileUnreadable(path: path, detail: "it shrank to \(offset) bytes while being read")
            }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            offset += Int64(count)
        }
    }

    private var descriptor: FileDescriptor { FileDescriptor(fd) }

    /// A failed read as a file PostgreSQL handed over that cannot be read.
    private func readable<T>(_ body: () throws -> T) throws -> T {
        try SystemError.mapped(body) { WALError.fileUnreadable(path: path, detail: $0.reason) }
    }

    func sha256() throws -> String {
        let hasher = try SHA256Hasher()
        try stream { hasher.update($0) }
        return Hex.encode(hasher.finalize())
    }
}

/// Errors of WAL archiving, each naming the file and saying what to do.
public enum WALError: LifeboatError {
    case invalidName(String)
    case fileUnreadable(path: String, detail: String)
    case notASegment(path: String, detail: String)
    case differentFileArchived(name: String, cluster: String, key: String)
    case commitContended(name: String, cluster: String)
    case systemIdentifierMismatch(name: String, cluster: String, found: String, recorded: String)
    case notArchived(name: String, cluster: String)
    case recordMismatch(key: String, detail: String)
    case contentMismatch(key: String, detail: String)
    case destinationUnwritable(path: String, detail: String)
    case prefetchNotStarted(detail: String)
    case spoolUnusable(path: String, detail: String)
    case pusherNotStarted(detail: String)
    case asyncPushFailed(name: String, reason: String)
    case asyncTimedOut(name: String, seconds: Int, reason: String?)

    public var exitStatus: ExitStatus {
        switch self {
        case .invalidName: return .usage
        case .recordMismatch, .contentMismatch: return .integrity
        default: return .failure
        }
    }

    public var message: String {
        switch self {
        case .invalidName(let text): return "'\(text)' is not a WAL file name"
        case .fileUnreadable(let path, let detail): return "cannot read WAL file '\(path)': \(detail)"
        case .notASegment(let path, let detail): return "'\(path)' is not a valid WAL segment: \(detail)"
        case .differentFileArchived(let name, let cluster, let key):
            return
                "the archive of cluster '\(cluster)' already holds a different file named '\(name)' ('\(key)'); refusing to overwrite it"
        case .commitContended(let name, let cluster):
            return
                "WAL file '\(name)' of cluster '\(cluster)' was not archived: its record appeared and vanished again while this push committed"
        case .systemIdentifierMismatch(let name, let cluster, let found, let recorded):
            return
                "WAL file '\(name)' was written by database system \(found), but the archive of cluster '\(cluster)' belongs to system \(recorded)"
        case .notArchived(let name, let cluster):
            return "WAL file '\(name)' is not in the archive of cluster '\(cluster)'"
        case .recordMismatch(let key, let detail): return "WAL record '\(key)' does not belong here: \(detail)"
        case .contentMismatch(let key, let detail): return "WAL object '\(key)' does not match its record: \(detail)"
        case .destinationUnwritable(let path, let detail): return "cannot write '\(path)': \(detail)"
        case .prefetchNotStarted(let detail): return "the WAL prefetcher did not start: \(detail)"
        case .spoolUnusable(let path, let detail): return "cannot use the WAL spool directory '\(path)': \(detail)"
        case .pusherNotStarted(let detail): return "the background WAL pusher did not start: \(detail)"
        case .asyncPushFailed(let name, let reason):
            return "WAL file '\(name)' was not archived: the background pusher failed: \(reason)"
        case .asyncTimedOut(let name, let seconds, let reason):
            return "WAL file '\(name)' was not archived within \(seconds) s by the background pusher"
                + (reason.map { "; its last error: \($0)" } ?? "")
        }
    }

    public var hint: String? {
        switch self {
        case .invalidName:
            return "pass a file PostgreSQL archives: a 24-hex-digit segment such as 000000010000000000000003, "
                + "a .partial segment, a timeline .history file or a .backup history file (archive_command '… wal push %p')"
        case .fileUnreadable:
            return "run lifeboat as the PostgreSQL OS user from the data directory, as archive_command does"
        case .notASegment: return "only PostgreSQL's own WAL files can be archived; check the path given to 'wal push'"
        case .differentFileArchived:
            return
                "two clusters may be archiving into the same repository under the same cluster name, or a restored cluster "
                + "was not promoted to a new timeline; give each server its own 'cluster:' in lifeboat.yml. The archived file was not changed"
        case .commitContended:
            return
                "a prune expired this name while it was being pushed; PostgreSQL retries archive_command, so nothing needs doing unless this repeats"
        case .systemIdentifierMismatch(_, let cluster, _, _):
            return
                "another database system (a different server, or one re-created with initdb) is archiving as cluster '\(cluster)'; "
                + "give it its own 'cluster:' in lifeboat.yml. The archive was not changed"
        case .notArchived:
            return
                "PostgreSQL asks restore_command for files that may not exist; this is expected at the end of recovery"
        case .recordMismatch, .contentMismatch:
            return
                "the archive is damaged or was tampered with; do not recover past this file, take a new backup, and investigate the repository storage"
        case .destinationUnwritable:
            return
                "run lifeboat as the PostgreSQL OS user, as restore_command does, and check the directory's permissions"
        case .prefetchNotStarted:
            return "recovery goes on without prefetching; set 'wal: { prefetch: 0 }' to stop trying"
        case .spoolUnusable:
            return "wal.spool_dir must be a local directory the PostgreSQL OS user (who runs archive_command) can write"
        case .pusherNotStarted:
            return
                "check that the lifeboat binary can be run by the PostgreSQL OS user; 'wal: { async: false }' archives synchronously"
        case .asyncPushFailed, .asyncTimedOut:
            return "PostgreSQL retries archive_command and keeps the segment in pg_wal meanwhile; "
                + "'lifeboat status' shows the queue and the pusher's state, 'lifeboat check' tests the repository"
        }
    }
}
