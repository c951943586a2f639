// SnapshotBackup: a physical, WAL-aligned snapshot of the whole cluster, taken with BASE_BACKUP over a
// replication connection (BaseBackupReceiver): the data directory is stored as the pieced stream `base.tar` in one
// sealed object, each user tablespace as `tblspc-<oid>.tar` in its own, all streamed (nothing is copied to local
// disk). The server does not wait for WAL archiving (WAIT false); Lifeboat waits, bounded, until every segment
// from the backup's start to its end has a committed record in the repository (README "WAL is safe"): a broken
// archive_command fails the backup with its text. Only then is the manifest committed.
// An incremental snapshot (docs/format.md §6.5) builds on the parent IncrementalPlanner picks: on PostgreSQL 17+
// with summarize_wal on the server sends only changed blocks (`wal-summary`, after UPLOAD_MANIFEST of the parent's
// server manifest); otherwise lifeboat filters the full stream itself (`page-lsn`, DeltaTarRewriter).
// From a standby (SnapshotSource, StandbySource) the data is read there and the WAL still comes from the primary's
// archive: the primary is asked to switch segments when the standby's stop point lies in the one it is writing.
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
    public var incremental: IncrementalMode
    /// Read the data from postgres.standby_url instead of the primary.
    public var fromStandby: Bool

    public init(
        label: String?, pinned: Bool, keepUntil: Date?, incremental: IncrementalMode = .configured,
        fromStandby: Bool = false
    ) {
        self.label = label
        self.pinned = pinned
        self.keepUntil = keepUntil
        self.incremental = incremental
        self.fromStandby = fromStandby
    }
}

/// A committed backup and what the user should know about how it was taken.
public struct BackupOutcome: Sendable {
    public let manifest: BackupManifest
    /// Why a full snapshot was taken although an incremental was asked for (or configured).
    public let fullReason: String?
    /// Why an incremental used page-lsn on a server that could have sent only changed blocks.
    public let methodNote: String?

    public init(manifest: BackupManifest, fullReason: String? = nil, methodNote: String? = nil) {
        self.manifest = manifest
        self.fullReason = fullReason
        self.methodNote = methodNote
    }
}

public final class SnapshotBackup {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    static let entryName = "base.tar"
    static let format = "pg_basebackup-tar"
    /// How long the snapshot waits for WAL archiving after the base backup's stream ended.
    static let defaultWALWaitSeconds = 120.0

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
    }

    var compression: ArchiveCompression { CompressionTuning.filter(context.config.compression) }

    var walWaitSeconds: Double {
        context.seconds(fromEnvironment: "LIFEBOAT_WAL_WAIT_SECONDS", default: Self.defaultWALWaitSeconds)
    }

    public func run(_ request: SnapshotBackupRequest) throws -> BackupOutcome {
        let config = context.config
        let lock = try ClusterLock(repository: repository, cluster: config.cluster, command: "lifeboat backup")
        defer { lock.release() }
        do {
            return try take(request)
        } catch let refused as IncrementalRefused {
            // Before anything was stored: start again with page-lsn (and a parent it can use).
            let note = "the server would not send an incremental from its WAL summaries: \(refused.detail)"
            context.logger.warning("using page-lsn", metadata: ["reason": "\(refused.detail)"])
            do {
                return try take(request, pageLSNNote: note)
            } catch DeltaStreamError.databaseRecreated(let directory) {
                return try take(request, forcedFull: Self.recreatedReason(directory))
            }
        } catch DeltaStreamError.databaseRecreated(let directory) {
            // Found only after part of the stream was written as deltas (PageLSNDeltaRules): start again, full.
            let reason = Self.recreatedReason(directory)
            context.logger.warning("incremental abandoned; taking a full snapshot", metadata: ["reason": "\(reason)"])
            return try take(request, forcedFull: reason)
        }
    }

    static func recreatedReason(_ directory: String) -> String {
        "database directory '\(directory)' was recreated since the parent (its PG_VERSION changed)"
    }

    /// One snapshot attempt; `forcedFull` makes it full for that reason, `pageLSNNote` an incremental page-lsn.
    func take(
        _ request: SnapshotBackupRequest, forcedFull: String? = nil, pageLSNNote: String? = nil
    ) throws -> BackupOutcome {
        let config = context.config
        let control = try context.postgres.connect(try ConnectionInfo(config.postgres.url))
        defer { control.close() }
        try checkArchiving(control)
        let source = try SnapshotSource.open(
            context: context, primary: control, fromStandby: request.fromStandby, checkpointWaitSeconds: walWaitSeconds,
            checkServer: checkServer)
        defer { source.close() }
        let facts = try SourceDatabase.facts(source.session)
        let segmentSize = try walSegmentSize(control)
        let startedAt = context.now()
        let id = BackupID.generate(at: startedAt)
        context.logger.info("snapshot started", metadata: ["backup": "\(id)"])

        let written = WrittenObjects(store: repository.store)
        return try written.removingOnFailure {
            let stream = try BaseBackupStream(
                snapshot: self, source: source.info, id: id, written: written, control: source.session)
            defer { stream.close() }
            let walSummary: (possible: Bool, note: String?) =
                pageLSNNote == nil ? stream.walSummary() : (false, pageLSNNote)
            let decision =
                forcedFull.map { IncrementalDecision.full($0) }
                ?? IncrementalPlanner(
                    catalog: BackupCatalog(repository: repository, keyring: keyring, cluster: config.cluster),
                    settings: config.backup.incremental
                )
                .decide(
                    request.incremental, systemIdentifier: stream.system.systemIdentifier,
                    timeline: stream.system.timeline, now: startedAt, pageLSNOnly: !walSummary.possible)
            let received = try stream.receive(decision.base, walSummary: walSummary.possible)
            let points = try Self.points(of: received.backup)
            let needed = LSN.segmentNames(
                from: points.start, to: points.end, timeline: points.timeline,
                segmentSize: segmentSize)
            if source.isStandby { try switchPastStandbyStop(points, segmentSize: segmentSize, primary: control) }
            try waitForArchive(needed, points: points, control: control)
            var manifest = snapshotManifest(
                id: id, request: request, startedAt: startedAt, facts: facts,
                received: received.backup, points: points, needed: needed,
                segmentSize: segmentSize, written: written)
            manifest.server.systemIdentifier = stream.system.systemIdentifier
            if source.isStandby {
                manifest.snapshot?.fromStandby = true
                manifest.formatVersion = BackupManifest.standbySnapshotFormatVersion
            }
            if let base = decision.base, let method = received.method {
                let version =
                    method == .pageLSN
                    ? BackupManifest.sparseDeltaFormatVersion : BackupManifest.incrementalFormatVersion
                manifest.formatVersion = max(manifest.formatVersion, version)
                manifest.snapshot?.incremental = base.record(method: method)
            }
            let committed = try ManifestCommit.commitBackup(
                manifest, context: context, repository: repository,
                keyring: keyring, written: written)
            context.logger.info(
                "snapshot committed",
                metadata: [
                    "backup": "\(id)", "start": "\(points.start)", "end": "\(points.end)",
                    "tablespaces": "\(received.backup.tablespaces.count)",
                    "type": "\(committed.isIncremental ? "incremental" : "full")",
                ])
            let note = received.method == .pageLSN ? walSummary.note : nil
            return BackupOutcome(manifest: committed, fullReason: decision.fullReason, methodNote: note)
        }
    }

    /// The manifest of a snapshot whose WAL from `needed.first` to `needed.last` is archived.
    func snapshotManifest(
        id: BackupID, request: SnapshotBackupRequest, startedAt: Date, facts: ServerFacts,
        received: ReceivedBaseBackup, points: BaseBackupPoints, needed: [String],
        segmentSize: UInt64, written: WrittenObjects
    ) -> BackupManifest {
        let server = ServerInfo(
            version: facts.version, versionNumber: facts.versionNumber,
            systemIdentifier: facts.systemIdentifier, timeline: Int(points.timeline),
            startLsn: points.start.description, stopLsn: points.end.description)
        var manifest = BackupManifest(
            id: id, cluster: context.config.cluster, kind: .snapshot, label: request.label, startedAt: startedAt,
            finishedAt: context.now(), pinned: request.pinned, keepUntil: request.keepUntil,
            tool: EngineContext.toolInfo, server: server, compression: context.compressionInfo,
            encryption: keyring.encryptionInfo, objects: written.storedObjects, databases: [], globals: nil)
        manifest.snapshot = SnapshotRecord(
            object: received.baseObject, entry: Self.entryName, format: Self.format, timeline: Int(points.timeline),
            walSegmentSize: Int64(segmentSize), startWal: needed.first ?? "", stopWal: needed.last ?? "",
            tablespaces: received.tablespaces.isEmpty ? nil : received.tablespaces,
            serverManifest: received.serverManifest)
        return manifest
    }

    /// Where the base backup starts and ends, once its backup_label agrees with what the server said.
    static func points(of received: ReceivedBaseBackup) throws -> BaseBackupPoints {
        let label = try BackupLabel(tarHead: received.head)
        guard label.start == received.start, label.timeline == received.startTimeline else {
            throw SnapshotError.unexpectedOutput(
                "backup_label starts at \(label.start) on timeline \(label.timeline), "
                    + "the server said \(received.start) on timeline \(received.startTimeline)")
        }
        return BaseBackupPoints(start: received.start, end: received.end, timeline: label.timeline)
    }

    // MARK: checks before anything is written

    /// The server the data is read from: a role that may run BASE_BACKUP, PostgreSQL 15 or later.
    func checkServer(_ control: any PostgresSession) throws {
        let role = try control.query(
            "SELECT current_user::text, (SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user)::text"
        )
        if role.rows.first?[1] != "true" { throw SnapshotError.notReplicationRole(role.rows.first?[0] ?? "?") }
        if control.serverVersionNumber < 150000 { throw SnapshotError.serverTooOld(control.serverVersionNumber) }
    }

    /// The primary, whose archive holds the snapshot's WAL wherever the data is read.
    func checkArchiving(_ primary: any PostgresSession) throws {
        let mode = try primary.query("SELECT current_setting('archive_mode')").rows.first?[0] ?? "off"
        if mode == "off" { throw SnapshotError.archivingOff }
    }

    /// A standby's stop point may lie in the segment the primary is still writing, which is archived only once
    /// the primary leaves it (a backup on the primary switches by itself; one on a standby cannot): then the
    /// primary is asked to switch now rather than at its next archive_timeout.
    func switchPastStandbyStop(_ points: BaseBackupPoints, segmentSize: UInt64, primary: any PostgresSession) throws {
        let lastNeeded = (points.end.value > 0 ? points.end.value - 1 : 0) / segmentSize
        let text = try primary.query("SELECT pg_current_wal_lsn()::text").rows.first?[0] ?? nil
        guard let current = text.flatMap(LSN.init) else {
            throw SnapshotError.unexpectedOutput("pg_current_wal_lsn '\(text ?? "NULL")' on the primary")
        }
        guard current.segment(size: segmentSize) <= lastNeeded else { return }
        let switched = try primary.query("SELECT pg_switch_wal()::text").rows.first?[0] ?? nil
        context.logger.info(
            "primary switched WAL segment",
            metadata: ["stop": "\(points.end)", "primary": "\(current)", "switch": "\(switched ?? "?")"])
    }

    func walSegmentSize(_ control: any PostgresSession) throws -> UInt64 {
        let text =
            try control.query("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'").rows.first?[0] ?? ""
        guard let size = UInt64(text), WALSegmentHeader.isValidSegmentSize(size) else {
            throw SnapshotError.unexpectedOutput("wal_segment_size is '\(text)'")
        }
        return size
    }

    func archiveCommand(_ control: any PostgresSession) -> String {
        (try? control.query("SHOW archive_command").rows.first?[0] ?? nil) ?? "?"
    }

    func lastFailedWAL(_ control: any PostgresSession) -> String? {
        (try? control.query("SELECT last_failed_wal FROM pg_stat_archiver").rows.first?[0] ?? nil) ?? nil
    }

    /// Waits until every segment the snapshot needs has a committed record in the archive (they arrive in order,
    /// so only the first missing one is polled), at most `walWaitSeconds`; then names archive_command.
    func waitForArchive(_ names: [String], points: BaseBackupPoints, control: any PostgresSession) throws {
        let archive = WALArchive(context: context, repository: repository, keyring: keyring)
        var pending = try names.map { text -> WALName in
            guard let name = WALName(text) else { throw SnapshotError.unexpectedOutput("segment name '\(text)'") }
            return name
        }[...]
        let deadline = Date().addingTimeInterval(walWaitSeconds)
        context.progress.begin("waiting for \(names.count) WAL segment(s) to be archived")
        defer { context.progress.end() }
        while let next = pending.first {
            if try archive.record(next) != nil {
                pending = pending.dropFirst()
                continue
            }
            if Date() >= deadline {
                throw SnapshotError.walArchiveTimeout(
                    seconds: walWaitSeconds, missing: next.description, archiveCommand: archiveCommand(control),
                    lastFailedWAL: lastFailedWAL(control))
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }
}

/// Where the snapshot's WAL starts and ends, on one timeline.
struct BaseBackupPoints {
    let start: LSN
    let end: LSN
    let timeline: UInt32
}

/// `backup_label` of a base backup: `START WAL LOCATION: 0/2000028 (file 000000010000000000000002)` and
/// `START TIMELINE: 1`.
struct BackupLabel {
    let start: LSN
    let startFile: String
    let timeline: UInt32

    init(tarHead: [UInt8]) throws {
        guard tarHead.count >= 512 else {
            throw SnapshotError.unexpectedOutput("the base backup's archive is not a tar archive")
        }
        let name = String(decoding: tarHead[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        let sizeText = String(decoding: tarHead[124..<136].prefix { $0 != 0 && $0 != 0x20 }, as: UTF8.self)
        guard name == "backup_label", let size = Int(sizeText, radix: 8), 512 + size <= tarHead.count else {
            throw SnapshotError.unexpectedOutput(
                "the base backup's tar does not start with backup_label (found '\(name)')")
        }
        try self.init(text: String(decoding: tarHead[512..<(512 + size)], as: UTF8.self))
    }

    init(text: String) throws {
        var start: LSN?
        var file: String?
        var timeline: UInt32?
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

/// Errors of snapshots and physical restores, each saying what to do.
public enum SnapshotError: LifeboatError {
    case notReplicationRole(String)
    case archivingOff
    case serverTooOld(Int)
    case walArchiveTimeout(seconds: Double, missing: String, archiveCommand: String, lastFailedWAL: String?)
    case unexpectedOutput(String)
    case noSnapshot(cluster: String, target: String)
    case notASnapshot(String)
    case dataDirectoryNotEmpty(String)
    case dataDirectoryUnusable(path: String, detail: String)
    case serverStart(detail: String, log: String)
    case recoveryIncomplete(detail: String, log: String)
    case recoveryTargetMissed(target: String, log: String)
    case timelineChanged(from: UInt32, to: UInt32)

    public var exitStatus: ExitStatus {
        switch self {
        case .noSnapshot, .notASnapshot: return .usage
        default: return .failure
        }
    }

    public var message: String {
        switch self {
        case .notReplicationRole(let role):
            return "role '\(role)' may not take a snapshot: it needs the REPLICATION attribute (or superuser)"
        case .archivingOff: return "the server has archive_mode = off; a snapshot needs continuous WAL archiving"
        case .serverTooOld(let version):
            return
                "the server's version is \(version); snapshots use the BASE_BACKUP protocol of PostgreSQL 15 or later"
        case .walArchiveTimeout(let seconds, let missing, let command, let failed):
            return
                "the server did not archive the snapshot's WAL within \(Int(seconds)) s after the base backup finished streaming "
                + "(segment '\(missing)' is missing); "
                + "archive_command is '\(command)'" + (failed.map { ", last failed WAL file '\($0)'" } ?? "")
                + "; nothing was committed"
        case .unexpectedOutput(let detail): return "unexpected answer from the server: \(detail)"
        case .noSnapshot(let cluster, let target): return "cluster '\(cluster)' has no complete snapshot \(target)"
        case .notASnapshot(let id): return "backup '\(id)' is a logical backup, not a snapshot"
        case .dataDirectoryNotEmpty(let path): return "data directory '\(path)' is not empty"
        case .dataDirectoryUnusable(let path, let detail): return "cannot use data directory '\(path)': \(detail)"
        case .serverStart(let detail, let log): return "the restored server did not start: \(detail)\n\(log)"
        case .recoveryIncomplete(let detail, let log): return "recovery did not finish: \(detail)\n\(log)"
        case .timelineChanged(let from, let to):
            return "the server switched from timeline \(from) to \(to) while the incremental snapshot started"
        case .recoveryTargetMissed(let target, let log):
            return
                "recovery reached the end of the archived WAL without reaching the target (\(target)); the server shut down\n\(log)"
        }
    }

    public var hint: String? {
        switch self {
        case .notReplicationRole(let role):
            return "run 'ALTER ROLE \(role) REPLICATION' or use a replication-capable role in postgres.url"
        case .archivingOff:
            return
                "set archive_mode = on and archive_command = 'lifeboat --config FILE wal push %p', restart the server, then run the backup again"
        case .serverTooOld: return "take logical backups of this cluster (--type logical), or upgrade the server"
        case .walArchiveTimeout:
            return
                "make archive_command run 'lifeboat --config FILE wal push %p' successfully as the server's OS user (see the server log), then run the backup again"
        case .unexpectedOutput: return nil
        case .noSnapshot:
            return
                "'lifeboat list' shows the snapshots and when they finished; choose a later target or take a snapshot first"
        case .notASnapshot: return "restore logical backups with --target URL, or choose a snapshot"
        case .dataDirectoryNotEmpty:
            return "choose an empty or new directory, or pass --clean to delete its contents first"
        case .dataDirectoryUnusable: return nil
        case .serverStart: return "see the server log above; the data directory is left as it is"
        case .recoveryIncomplete: return "see the server log above; the server was left running so you can inspect it"
        case .timelineChanged: return "run the backup again: it will be a full snapshot on the new timeline"
        case .recoveryTargetMissed:
            return
                "a restore point must exist in the archived WAL after the snapshot's start (check the name; pass an older backup id "
                + "from 'lifeboat list'); a time or WAL position must be before the end of the archive. Restore again with --clean"
        }
    }
}
