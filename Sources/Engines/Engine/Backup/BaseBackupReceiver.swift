// BaseBackupReceiver: runs BASE_BACKUP on a replication connection (PostgreSQL 15+ protocol) and routes each
// archive of its single COPY OUT stream into its own sealed object, one at a time: the main data directory to
// `base.tar.zst.lbx` (pieced entry `base.tar`, the format pg_basebackup-based snapshots had), each user
// tablespace to `tblspc-<oid>.tar.zst.lbx` (entry `tblspc-<oid>.tar`). The answer, in order:
//   1. result set (recptr, tli): where the backup's WAL starts;
//   2. result set (spcoid, spclocation, size): one row per tablespace, the main one last with NULL oid/location;
//   3. COPY OUT: 'n' (new archive: name, location), 'd' (data)… per archive, 'p' progress, 'm' manifest;
//   4. result set (recptr, tli): where the backup's WAL ends; then the command's completion.
// The server's own backup manifest (after 'm') is stored as `backup_manifest.tar.zst.lbx` (pieced entry
// `backup_manifest`): the next incremental's parent file list (docs/format.md §6.5). For a `page-lsn` incremental
// each archive passes through a DeltaTarRewriter on its way to the pieced writer; for `wal-summary` the server's
// archives (with its own INCREMENTAL.* entries) are stored as they come.
// Memory holds up to one piece (8 MiB) of CopyData messages, kept rather than copied until the piece is written
// (PiecedEntryWriter), zstd's buffers (backup.threads) and the first 64 KiB of the main archive (for backup_label).
import ArchiveIO
import Catalog
import Diagnostics
import Foundation
import PGClient
import Pipeline
import Storage

struct ReceivedBaseBackup {
    var start: LSN
    var startTimeline: UInt32
    var end: LSN
    var baseObject: String
    /// The first bytes of the main archive, where the server puts backup_label.
    var head: [UInt8]
    var tablespaces: [TablespaceRecord]
    /// The object holding the server's backup manifest.
    var serverManifest: String?
    /// Relation files stored as `LBDELTA` entries (page-lsn), and their blocks stored and left out.
    var deltaFiles = 0
    var storedBlocks: Int64 = 0
    var skippedBlocks: Int64 = 0
}

/// How the base backup is asked for and filtered.
struct BaseBackupMode {
    /// `BASE_BACKUP ( …, INCREMENTAL )` after UPLOAD_MANIFEST (wal-summary).
    var serverIncremental = false
    /// The parent's file list and start: relation files become LBDELTA entries (page-lsn).
    var pageLSN: (parent: ServerManifestIndex, since: LSN)?

    static let full = BaseBackupMode()
}

final class BaseBackupReceiver {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    let compression: ArchiveCompression
    let id: BackupID
    let written: WrittenObjects
    let mode: BaseBackupMode
    /// zstd workers per archive (`backup.threads`; 0: compress on the receiving thread).
    let compressionThreads: Int
    static let headLimit = 64 << 10
    static let serverManifestEntry = RepositoryLayout.serverManifestEntryName

    init(
        context: EngineContext, repository: Repository, keyring: Keyring, compression: ArchiveCompression, id: BackupID,
        written: WrittenObjects, mode: BaseBackupMode = .full
    ) {
        self.mode = mode
        self.compressionThreads = CompressionTuning.snapshotWorkers(context.config.backup)
        self.context = context
        self.repository = repository
        self.keyring = keyring
        self.compression = compression
        self.id = id
        self.written = written
    }

    static func command(label: String, incremental: Bool = false) -> String {
        // WAIT false: the caller waits for the archived WAL itself, with a bound and a precise message. The
        // manifest without file checksums: lifeboat's own ledger authenticates every byte; the manifest is the
        // next incremental's file list.
        "BASE_BACKUP ( LABEL '\(label.replacingOccurrences(of: "'", with: "''"))', CHECKPOINT 'fast', WAIT false, "
            + "MANIFEST 'yes', MANIFEST_CHECKSUMS 'NONE', TABLESPACE_MAP true\(incremental ? ", INCREMENTAL" : "") )"
    }

    /// The archive being stored: its object writer, pieced entry and end-of-archive watch.
    private struct Current {
        let writer: SealedObjectWriter
        let pieces: PiecedEntryWriter
        var terminator = TarTerminator()
        let oid: UInt32?
        let location: String
        let objectName: String
        let entryName: String
        /// The server's backup manifest, not a tar archive.
        var isManifest = false
        /// page-lsn: the filter the archive's bytes pass through.
        var rewriter: DeltaTarRewriter?
    }

    func receive(_ connection: PGConnection, label: String) throws -> ReceivedBaseBackup {
        try connection.send(Self.command(label: label, incremental: mode.serverIncremental))
        let (start, timeline): (LSN, UInt32)
        do {
            (start, timeline) = try Self.position(try connection.nextResult(), what: "start")
        } catch let error as PGError where mode.serverIncremental {
            // Before any archive: the server would not take an incremental (e.g. WAL summaries missing).
            throw IncrementalRefused(detail: error.message)
        }
        let locations = try Self.tablespaceLocations(connection)
        guard try connection.nextResult() == .copyOut else {
            throw SnapshotError.unexpectedOutput("BASE_BACKUP sent no archive stream")
        }
        var received = ReceivedBaseBackup(
            start: start, startTimeline: timeline, end: start, baseObject: "", head: [],
            tablespaces: [])
        try receiveArchives(connection, locations: locations, into: &received)
        guard !received.baseObject.isEmpty else {
            throw SnapshotError.unexpectedOutput("BASE_BACKUP sent no archive of the data directory")
        }
        received.end = try Self.endPosition(connection)
        return received
    }

    /// The tablespace list BASE_BACKUP sends first: location → OID.
    static func tablespaceLocations(_ connection: PGConnection) throws -> [String: UInt32] {
        guard case .rows(let header)? = try connection.nextResult(), header.columns.count >= 2 else {
            throw SnapshotError.unexpectedOutput("BASE_BACKUP sent no tablespace list")
        }
        var locations: [String: UInt32] = [:]
        for row in header.rows {
            if let oid = row[0].flatMap({ UInt32($0) }), let location = row[1] { locations[location] = oid }
        }
        return locations
    }

    /// Stores each archive of the COPY stream in its own object; on failure the one being written is aborted.
    func receiveArchives(
        _ connection: PGConnection, locations: [String: UInt32],
        into received: inout ReceivedBaseBackup
    ) throws {
        var current: Current?
        context.progress.begin("base backup")
        defer { context.progress.end() }
        do {
            while let message = try connection.readCopyDataMessage() {
                try handle(
                    try BaseBackupMessage.parse(message.bytes), of: message, current: &current, locations: locations,
                    into: &received)
            }
            if let finished = current { try finish(finished, into: &received) }
            current = nil
        } catch {
            current?.writer.abort(error)
            written.inFlight = nil
            throw error
        }
    }

    /// One message of the stream: a new archive finishes the previous one; data goes to the current one (and,
    /// for the data directory, its head to `received.head`, where backup_label is read from).
    private func handle(
        _ message: BaseBackupMessage, of owner: CopyDataMessage, current: inout Current?, locations: [String: UInt32],
        into received: inout ReceivedBaseBackup
    ) throws {
        switch message {
        case .newArchive(let name, let location):
            if let finished = current { try finish(finished, into: &received) }
            current = nil
            current = try open(name: name, location: location, locations: locations)
        case .data(let bytes):
            guard current != nil else { throw SnapshotError.unexpectedOutput("archive data before any archive began") }
            try write(bytes, of: owner, to: &current!, into: &received)
        case .progress:
            break
        case .manifest:
            if let finished = current { try finish(finished, into: &received) }
            current = nil
            current = try openManifest()
        }
    }

    /// Data of the current archive. The message's bytes are held, not copied, until their piece is written (the
    /// page-lsn rewriter copies what it keeps).
    private func write(
        _ bytes: UnsafeRawBufferPointer, of owner: CopyDataMessage, to archive: inout Current,
        into received: inout ReceivedBaseBackup
    ) throws {
        defer { context.progress.advance(by: bytes.count) }
        if archive.isManifest { return try archive.pieces.write(bytes, retaining: owner) }
        archive.terminator.observe(bytes)
        if archive.oid == nil && received.head.count < Self.headLimit {
            received.head.append(contentsOf: bytes.prefix(Self.headLimit - received.head.count))
        }
        guard let rewriter = archive.rewriter else { return try archive.pieces.write(bytes, retaining: owner) }
        let before = rewriter.deltaFiles
        try rewriter.write(bytes)
        // Once, when the first delta entry began: a run killed here has part of an incremental stored.
        if before == 0 && rewriter.deltaFiles > 0 && received.deltaFiles == 0 {
            try Failpoint.hit("backup.delta.mid")
        }
    }

    /// After the stream: the end position, then the command's completion (no rows).
    static func endPosition(_ connection: PGConnection) throws -> LSN {
        var end: LSN?
        while let result = try connection.nextResult() {
            if end == nil, case .rows(let rows) = result, rows.columns.count >= 2, !rows.rows.isEmpty {
                end = try Self.position(result, what: "end").0
            }
        }
        guard let end else { throw SnapshotError.unexpectedOutput("BASE_BACKUP sent no end position") }
        return end
    }

    private func open(name: String, location: String, locations: [String: UInt32]) throws -> Current {
        let compressed = compression == .zstd
        var oid: UInt32?
        let objectName: String
        let entryName: String
        if location.isEmpty {
            objectName = RepositoryLayout.snapshotObjectName(compressed: compressed)
            entryName = SnapshotBackup.entryName
        } else {
            // The archive is "<oid>.tar"; the tablespace list says the same by location.
            oid = locations[location] ?? UInt32(name.hasSuffix(".tar") ? String(name.dropLast(4)) : "")
            guard let oid else {
                throw SnapshotError.unexpectedOutput("archive '\(name)' of an unknown tablespace at '\(location)'")
            }
            objectName = RepositoryLayout.tablespaceObjectName(oid: oid, compressed: compressed)
            entryName = RepositoryLayout.tablespaceEntryName(oid: oid)
        }
        let writer = try repository.beginBackupObject(
            objectName, of: id, context: context, keyring: keyring, compression: compression,
            threads: compressionThreads, written: written)
        context.logger.debug(
            "archive started",
            metadata: ["archive": "\(name)", "object": "\(objectName)", "zstd_workers": "\(compressionThreads)"])
        let pieces = PiecedEntryWriter(writer: writer.tar, baseName: entryName)
        var current = Current(
            writer: writer, pieces: pieces, oid: oid, location: location, objectName: objectName,
            entryName: entryName)
        if let (parent, since) = mode.pageLSN {
            let rules = PageLSNDeltaRules(
                parent: parent, manifestPrefix: oid.map { "pg_tblspc/\($0)/" } ?? "", inTablespace: oid != nil)
            current.rewriter = DeltaTarRewriter(rules: rules, since: since) { try pieces.write($0) }
        }
        return current
    }

    private func openManifest() throws -> Current {
        let objectName = RepositoryLayout.serverManifestObjectName(compressed: compression == .zstd)
        // A few hundred kilobytes: zstd's workers would cost more than they save.
        let writer = try repository.beginBackupObject(
            objectName, of: id, context: context, keyring: keyring, compression: compression, threads: 0,
            written: written)
        return Current(
            writer: writer, pieces: PiecedEntryWriter(writer: writer.tar, baseName: Self.serverManifestEntry),
            oid: nil, location: "", objectName: objectName, entryName: Self.serverManifestEntry, isManifest: true)
    }

    /// Completes the tar if the server did not (see TarTerminator), then commits the object.
    private func finish(_ archive: Current, into received: inout ReceivedBaseBackup) throws {
        if archive.isManifest {
            _ = try archive.pieces.finish()
            _ = try written.commit(archive.writer)
            received.serverManifest = archive.objectName
            try Failpoint.hit("backup.server-manifest.after")
            return
        }
        if let rewriter = archive.rewriter {
            try rewriter.finish()
            received.deltaFiles += rewriter.deltaFiles
            received.storedBlocks += rewriter.storedBlocks
            received.skippedBlocks += rewriter.skippedBlocks
        }
        let missing = archive.terminator.missing
        context.logger.debug(
            "archive ended",
            metadata: [
                "object": "\(archive.objectName)", "bytes": "\(archive.terminator.bytes)",
                "terminated by the server": "\(missing.isEmpty)",
            ])
        if !missing.isEmpty {
            context.logger.warning(
                "the server's archive had no end-of-archive marker; added",
                metadata: ["object": "\(archive.objectName)"])
            try missing.withUnsafeBytes { try archive.pieces.write($0) }
        }
        let (_, bytes) = try archive.pieces.finish()
        _ = try written.commit(archive.writer)
        try Failpoint.hit("backup.object.after")
        if let oid = archive.oid {
            received.tablespaces.append(
                TablespaceRecord(
                    oid: oid, location: archive.location, object: archive.objectName,
                    entry: archive.entryName, size: bytes))
        } else {
            received.baseObject = archive.objectName
        }
    }

    /// IDENTIFY_SYSTEM on a replication connection: the system identifier and the current timeline (no
    /// superuser needed, unlike pg_control_system()).
    static func identifySystem(_ connection: PGConnection) throws -> (systemIdentifier: String, timeline: UInt32) {
        try connection.send("IDENTIFY_SYSTEM")
        var answer: (String, UInt32)?
        while let result = try connection.nextResult() {
            if answer == nil, case .rows(let rows) = result, let row = rows.rows.first, row.count >= 2,
                let system = row[0], let timeline = row[1].flatMap({ UInt32($0) })
            {
                answer = (system, timeline)
            }
        }
        guard let answer else { throw SnapshotError.unexpectedOutput("IDENTIFY_SYSTEM sent no system identifier") }
        return answer
    }

    /// A (recptr, tli) result set.
    static func position(_ result: PGStreamResult?, what: String) throws -> (LSN, UInt32) {
        guard case .rows(let rows)? = result, let row = rows.rows.first, row.count >= 2,
            let lsn = row[0].flatMap({ LSN($0) }), let timeline = row[1].flatMap({ UInt32($0) })
        else {
            throw SnapshotError.unexpectedOutput("BASE_BACKUP sent no \(what) position")
        }
        return (lsn, timeline)
    }
}

/// The server refused `BASE_BACKUP ( INCREMENTAL )` before sending anything (its WAL summaries do not cover the
/// parent's start, the uploaded manifest is not accepted…): the snapshot can still be taken with page-lsn.
struct IncrementalRefused: Error {
    let detail: String
}
