// SnapshotBackup: a physical, WAL-aligned snapshot of the whole cluster. `pg_basebackup -D - -Ft -X none`
// streams the data directory as one tar to stdout; it is stored as the pieced stream `base.tar` in one sealed
// object, exactly as logical backups store pg_dump's output (ToolStream). With `-X none` the server itself
// waits until the WAL up to the backup's end point has been archived (by `lifeboat wal push`) before
// pg_basebackup exits; a watchdog bounds that wait (a broken archive_command would otherwise hang the backup
// forever). Then every segment from the start to the end point must have a committed record in the repository
// (PRODUCT.md guarantee 4) — only then is the manifest committed.
import ArchiveIO
import Catalog
import Diagnostics
import Foundation
import Logging
import PGClient
import Pipeline
import Storage

public struct SnapshotBackupRequest: Sendable {
    public var label: String?
    public var pinned: Bool
    public var keepUntil: Date?

    public init(label: String?, pinned: Bool, keepUntil: Date?) {
        self.label = label
        self.pinned = pinned
        self.keepUntil = keepUntil
    }
}

public final class SnapshotBackup {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    static let entryName = "base.tar"
    static let format = "pg_basebackup-tar"
    /// How long pg_basebackup may wait for WAL archiving after its tar stream ended.
    static let defaultWALWaitSeconds = 120.0

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
    }

    var compression: ArchiveCompression {
        context.config.compression.algorithm.rawValue == "none" ? .none : .zstd
    }

    var walWaitSeconds: Double {
        Double(context.environment["LIFEBOAT_WAL_WAIT_SECONDS"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? Self.defaultWALWaitSeconds
    }

    public func run(_ request: SnapshotBackupRequest) throws -> BackupManifest {
        let config = context.config
        let lock = try RepositoryLock(store: repository.store, name: "cluster-\(config.cluster)", command: "lifeboat backup")
        defer { lock.release() }
        let lockToken = Interruption.shared.register { lock.release() }
        defer { Interruption.shared.unregister(lockToken) }

        let source = try ConnectionInfo(config.postgres.url)
        let control = try PGConnection(source)
        defer { control.close() }
        let facts = try SourceDatabase.facts(control)
        try checkServer(control)
        let segmentSize = try walSegmentSize(control)
        let tools = PostgresTools(binDir: config.postgres.binDir, serverMajor: facts.versionNumber / 10000,
                                  environment: context.environment)
        let startedAt = context.now()
        let id = BackupID.generate(at: startedAt)
        let applicationName = "lifeboat snapshot \(id.rawValue)"
        context.logger.info("snapshot started", metadata: ["backup": "\(id)"])

        let written = WrittenObjects(store: repository.store)
        let cleanupToken = Interruption.shared.register { written.removeAll(immediately: true) }
        defer { Interruption.shared.unregister(cleanupToken) }
        do {
            var environment = tools.childEnvironment(for: source, removing: context.secretVariables)
            environment["PGAPPNAME"] = applicationName
            let child = ChildProcess(executable: try tools.path("pg_basebackup"),
                                     arguments: ["-D", "-", "-Ft", "-X", "none", "--checkpoint=fast", "--no-manifest", "-v",
                                                 "--no-password", PostgresTools.databaseArgument(source)],
                                     environment: environment, captureStdout: true, provideStdin: false)
            let watchdog = ArchiveWaitWatchdog(connection: source, applicationName: applicationName, limit: walWaitSeconds,
                                               child: child, logger: context.logger)
            let objectName = RepositoryLayout.snapshotObjectName(compressed: compression == .zstd)
            let head = StreamHead(limit: 64 << 10)
            watchdog.start()
            defer { watchdog.stop() }
            try ToolStream(context: context, repository: repository, keyring: keyring, compression: compression,
                           compressionThreads: LogicalBackup.compressionThreads)
                .run(child, toolName: "pg_basebackup", label: "cluster", objectName: objectName, entryName: Self.entryName,
                     id: id, written: written, observe: head.append) { child in
                    let status = child.wait()
                    watchdog.stop()
                    if watchdog.timedOut {
                        throw SnapshotError.walArchiveTimeout(seconds: self.walWaitSeconds, archiveCommand: self.archiveCommand(control),
                                                              lastFailedWAL: self.lastFailedWAL(control))
                    }
                    guard status == 0 else {
                        throw EngineError.dumpFailed(tool: "pg_basebackup", database: "cluster", status: status, stderr: child.stderrTail)
                    }
                }
            let points = try backupPoints(label: try BackupLabel(tarHead: head.bytes), segmentSize: segmentSize)
            let needed = LSN.segmentNames(from: points.start, to: points.end, timeline: points.timeline, segmentSize: segmentSize)
            try requireArchived(needed, points: points)
            var manifest = BackupManifest(
                id: id, cluster: config.cluster, kind: .snapshot, label: request.label, startedAt: startedAt,
                finishedAt: context.now(), pinned: request.pinned, keepUntil: request.keepUntil,
                tool: ToolInfo(name: "lifeboat", version: EngineContext.toolVersion, host: ProcessInfo.processInfo.hostName),
                server: ServerInfo(version: facts.version, versionNumber: facts.versionNumber, systemIdentifier: facts.systemIdentifier,
                                   timeline: Int(points.timeline), startLsn: points.start.description, stopLsn: points.end.description),
                compression: CompressionInfo(algorithm: config.compression.algorithm.rawValue, level: config.compression.level),
                encryption: EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: keyring.currentKeyId),
                objects: written.committed.map { StoredObject(name: $0.key.lastSegment, storedSize: $0.storedSize, sha256: $0.sha256, contentSize: $0.contentSize) },
                databases: [], globals: nil)
            manifest.snapshot = SnapshotRecord(object: objectName, entry: Self.entryName, format: Self.format, timeline: Int(points.timeline),
                                               walSegmentSize: Int64(segmentSize), startWal: needed.first ?? "", stopWal: needed.last ?? "")
            manifest.objectLock = repository.objectLockRecord(committingAt: context.now())
            try BackupCatalog(repository: repository, keyring: keyring, cluster: config.cluster).commit(manifest)
            context.logger.info("snapshot committed", metadata: ["backup": "\(id)", "start": "\(points.start)", "end": "\(points.end)"])
            return manifest
        } catch {
            written.removeAll()
            throw error
        }
    }

    // MARK: checks before anything is written

    func checkServer(_ control: PGConnection) throws {
        let role = try control.query("SELECT current_user::text, (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user)::text")
        if role.rows.first?[1] != "true" { throw SnapshotError.notReplicationRole(role.rows.first?[0] ?? "?") }
        let mode = try control.query("SELECT current_setting('archive_mode')").rows.first?[0] ?? "off"
        if mode == "off" { throw SnapshotError.archivingOff }
        let spaces = try control.query("SELECT spcname::text FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY 1")
            .rows.compactMap { $0[0] }
        if !spaces.isEmpty { throw SnapshotError.tablespaces(spaces) }
    }

    func walSegmentSize(_ control: PGConnection) throws -> UInt64 {
        let text = try control.query("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'").rows.first?[0] ?? ""
        guard let size = UInt64(text), WALSegmentHeader.isValidSegmentSize(size) else {
            throw SnapshotError.unexpectedOutput("wal_segment_size is '\(text)'")
        }
        return size
    }

    func archiveCommand(_ control: PGConnection) -> String {
        (try? control.query("SHOW archive_command").rows.first?[0] ?? nil) ?? "?"
    }

    func lastFailedWAL(_ control: PGConnection) -> String? {
        (try? control.query("SELECT last_failed_wal FROM pg_stat_archiver").rows.first?[0] ?? nil) ?? nil
    }

    /// The end point comes from the backup history file the server archived when the backup stopped (it
    /// waits for that file and the last segment); fetched through `wal get`, so it is authenticated.
    func backupPoints(label: BackupLabel, segmentSize: UInt64) throws -> BaseBackupPoints {
        let name = label.historyFileName(segmentSize: segmentSize)
        let directory = FileManager.default.temporaryDirectory.path + "/lifeboat-snapshot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let archive = WALArchive(context: context, repository: repository, keyring: keyring)
        do {
            _ = try archive.get(name: name, destination: directory + "/" + name)
        } catch WALError.notArchived {
            throw SnapshotError.walMissing(name: name, start: label.start.description, end: "?")
        }
        let text = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("STOP WAL LOCATION: ") }),
              let end = line.split(separator: " ").dropFirst(3).first.flatMap({ LSN(String($0)) }) else {
            throw SnapshotError.unexpectedOutput("backup history file '\(name)' has no STOP WAL LOCATION:\n\(text)")
        }
        return BaseBackupPoints(start: label.start, end: end, timeline: label.timeline)
    }

    /// Every segment the snapshot needs must be committed in the archive; the first missing one is named.
    func requireArchived(_ names: [String], points: BaseBackupPoints) throws {
        let archive = WALArchive(context: context, repository: repository, keyring: keyring)
        for text in names {
            guard let name = WALName(text) else { throw SnapshotError.unexpectedOutput("segment name '\(text)'") }
            if try archive.record(name) == nil {
                throw SnapshotError.walMissing(name: text, start: points.start.description, end: points.end.description)
            }
        }
    }
}

/// Where the snapshot's WAL starts and ends, on one timeline.
struct BaseBackupPoints {
    let start: LSN
    let end: LSN
    let timeline: UInt32
}

/// The first bytes of pg_basebackup's tar, where the server puts `backup_label` (the first entry).
final class StreamHead: @unchecked Sendable {
    // Only touched by the pumping thread, then read after it finished.
    private(set) var bytes: [UInt8] = []
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func append(_ chunk: UnsafeRawBufferPointer) {
        guard bytes.count < limit else { return }
        bytes.append(contentsOf: chunk.prefix(limit - bytes.count))
    }
}

/// `backup_label` of a base backup: `START WAL LOCATION: 0/2000028 (file 000000010000000000000002)` and
/// `START TIMELINE: 1`.
struct BackupLabel {
    let start: LSN
    let startFile: String
    let timeline: UInt32

    init(tarHead: [UInt8]) throws {
        guard tarHead.count >= 512 else { throw SnapshotError.unexpectedOutput("pg_basebackup's output is not a tar archive") }
        let name = String(decoding: tarHead[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        let sizeText = String(decoding: tarHead[124..<136].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        guard name == "backup_label", let size = Int(sizeText, radix: 8), 512 + size <= tarHead.count else {
            throw SnapshotError.unexpectedOutput("pg_basebackup's tar does not start with backup_label (found '\(name)')")
        }
        try self.init(text: String(decoding: tarHead[512..<(512 + size)], as: UTF8.self))
    }

    init(text: String) throws {
        var start: LSN?, file: String?, timeline: UInt32?
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("START WAL LOCATION: "), words.count >= 6 {
                start = LSN(String(words[3]))
                file = String(words[5].trimmingCharacters(in: CharacterSet(charactersIn: ")")))
            } else if line.hasPrefix("START TIMELINE: "), words.count >= 3 {
                timeline = UInt32(words[2])
            }
        }
        guard let start, let file, let timeline, timeline > 0, WALName(file) != nil else {
            throw SnapshotError.unexpectedOutput("backup_label does not name the WAL start point:\n\(text)")
        }
        self.start = start
        self.startFile = file
        self.timeline = timeline
    }

    /// The backup history file the server archives when the backup ends: `<start file>.<offset>.backup`.
    func historyFileName(segmentSize: UInt64) -> String {
        startFile + String(format: ".%08X.backup", UInt32(start.value % segmentSize))
    }
}

/// Bounds the server's wait for WAL archiving: once the backup's walsender reports the phase "waiting for wal
/// archiving to finish" (its tar stream has ended), pg_basebackup may run `limit` seconds more; then it is
/// terminated, and so is the walsender (it would otherwise wait for the archiver forever).
final class ArchiveWaitWatchdog: @unchecked Sendable {
    // `stopped`, `timedOut` are guarded by `lock`; everything else is set once in init.
    private let lock = NSLock()
    private let connection: ConnectionInfo
    private let applicationName: String
    private let limit: Double
    private let child: ChildProcess
    private let logger: Logger
    private var _stopped = false
    private var _timedOut = false
    private let done = DispatchSemaphore(value: 0)
    private var started = false

    init(connection: ConnectionInfo, applicationName: String, limit: Double, child: ChildProcess, logger: Logger) {
        self.connection = connection
        self.applicationName = applicationName
        self.limit = limit
        self.child = child
        self.logger = logger
    }

    var timedOut: Bool { lock.withLock { _timedOut } }
    private var stopped: Bool { lock.withLock { _stopped } }

    func start() {
        started = true
        let thread = Thread { [self] in
            defer { done.signal() }
            guard let watcher = try? PGConnection(connection, applicationName: "lifeboat watchdog") else {
                logger.warning("cannot watch the snapshot's WAL archiving wait: no second connection")
                return
            }
            defer { watcher.close() }
            var waitingSince: Date?
            while !stopped {
                let row = try? watcher.query("""
                    SELECT p.pid::text, p.phase FROM pg_stat_progress_basebackup p JOIN pg_stat_activity a USING (pid)
                    WHERE a.application_name = $1
                    """, [applicationName]).rows.first
                if let row, row[1] == "waiting for wal archiving to finish" {
                    waitingSince = waitingSince ?? Date()
                    if let since = waitingSince, Date().timeIntervalSince(since) > limit {
                        lock.withLock { _timedOut = true }
                        child.terminate()
                        if let pid = row[0] { _ = try? watcher.query("SELECT pg_terminate_backend($1::int)", [pid]) }
                        return
                    }
                }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        thread.start()
    }

    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { _stopped = true }
            return !_stopped
        }
        if first && started {
            done.wait()
        }
    }
}

/// Errors of snapshots and physical restores, each saying what to do.
public enum SnapshotError: LifeboatError {
    case notReplicationRole(String)
    case archivingOff
    case tablespaces([String])
    case walArchiveTimeout(seconds: Double, archiveCommand: String, lastFailedWAL: String?)
    case walMissing(name: String, start: String, end: String)
    case unexpectedOutput(String)
    case noSnapshot(cluster: String, target: String)
    case notASnapshot(String)
    case dataDirectoryNotEmpty(String)
    case dataDirectoryUnusable(path: String, detail: String)
    case serverStart(detail: String, log: String)
    case recoveryIncomplete(detail: String, log: String)
    case recoveryTargetMissed(target: String, log: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .noSnapshot, .notASnapshot: return .usage
        default: return .failure
        }
    }

    public var message: String {
        switch self {
        case .notReplicationRole(let role): return "role '\(role)' may not take a snapshot: it needs the REPLICATION attribute (or superuser)"
        case .archivingOff: return "the server has archive_mode = off; a snapshot needs continuous WAL archiving"
        case .tablespaces(let names):
            return "the server has tablespaces besides pg_default and pg_global (\(names.map { "'\($0)'" }.joined(separator: ", "))); "
                + "pg_basebackup can stream only one tablespace to stdout, so snapshots of this cluster are not supported"
        case .walArchiveTimeout(let seconds, let command, let failed):
            return "the server did not archive the snapshot's WAL within \(Int(seconds)) s after pg_basebackup finished streaming; "
                + "archive_command is '\(command)'" + (failed.map { ", last failed WAL file '\($0)'" } ?? "") + "; nothing was committed"
        case .walMissing(let name, let start, let end):
            return "WAL segment '\(name)' (needed from \(start) to \(end)) has no record in the repository; nothing was committed"
        case .unexpectedOutput(let detail): return "unexpected answer from the server or pg_basebackup: \(detail)"
        case .noSnapshot(let cluster, let target): return "cluster '\(cluster)' has no complete snapshot \(target)"
        case .notASnapshot(let id): return "backup '\(id)' is a logical backup, not a snapshot"
        case .dataDirectoryNotEmpty(let path): return "data directory '\(path)' is not empty"
        case .dataDirectoryUnusable(let path, let detail): return "cannot use data directory '\(path)': \(detail)"
        case .serverStart(let detail, let log): return "the restored server did not start: \(detail)\n\(log)"
        case .recoveryIncomplete(let detail, let log): return "recovery did not finish: \(detail)\n\(log)"
        case .recoveryTargetMissed(let target, let log):
            return "recovery reached the end of the archived WAL without reaching the target (\(target)); the server shut down\n\(log)"
        }
    }

    public var hint: String? {
        switch self {
        case .notReplicationRole(let role): return "run 'ALTER ROLE \(role) REPLICATION' or use a replication-capable role in postgres.url"
        case .archivingOff:
            return "set archive_mode = on and archive_command = 'lifeboat --config FILE wal push %p', restart the server, then run the backup again"
        case .tablespaces: return "take logical backups of this cluster (--type logical)"
        case .walArchiveTimeout:
            return "make archive_command run 'lifeboat --config FILE wal push %p' successfully as the server's OS user (see the server log), then run the backup again"
        case .walMissing: return "check archive_command and 'lifeboat wal push' (the server log shows failures), then run the backup again"
        case .unexpectedOutput: return nil
        case .noSnapshot: return "'lifeboat list' shows the snapshots and when they finished; choose a later target or take a snapshot first"
        case .notASnapshot: return "restore logical backups with --target URL, or choose a snapshot"
        case .dataDirectoryNotEmpty: return "choose an empty or new directory, or pass --clean to delete its contents first"
        case .dataDirectoryUnusable: return nil
        case .serverStart: return "see the server log above; the data directory is left as it is"
        case .recoveryIncomplete: return "see the server log above; the server was left running so you can inspect it"
        case .recoveryTargetMissed:
            return "a restore point must exist in the archived WAL after the snapshot's start (check the name; pass an older backup id "
                + "from 'lifeboat list'); a time or WAL position must be before the end of the archive. Restore again with --clean"
        }
    }
}
