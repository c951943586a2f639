// BaseBackupStream: the replication side of one snapshot. It opens the `replication=database` connection, asks
// IDENTIFY_SYSTEM (system identifier and timeline, which a parent must share), and takes the base backup the way the
// decision says: full; `wal-summary` (PostgreSQL 17+ with summarize_wal on: UPLOAD_MANIFEST of the parent's server
// manifest, then BASE_BACKUP INCREMENTAL); or `page-lsn` (every other server, and whenever the server refuses an
// incremental before sending anything, on a new connection).
import Catalog
import Foundation
import PGClient

final class BaseBackupStream {
    struct Received {
        var backup: ReceivedBaseBackup
        var method: IncrementalMethod?
        /// Why page-lsn was used on a server that has WAL summaries.
        var methodNote: String?
    }

    let snapshot: SnapshotBackup
    let source: ConnectionInfo
    let id: BackupID
    let written: WrittenObjects
    let control: any PostgresSession
    private(set) var connection: PGConnection
    let system: (systemIdentifier: String, timeline: UInt32)
    var label: String { "lifeboat snapshot \(id.rawValue)" }

    init(
        snapshot: SnapshotBackup, source: ConnectionInfo, id: BackupID, written: WrittenObjects,
        control: any PostgresSession
    ) throws {
        self.snapshot = snapshot
        self.source = source
        self.id = id
        self.written = written
        self.control = control
        connection = try Self.open(source, id: id)
        do {
            system = try BaseBackupReceiver.identifySystem(connection)
        } catch {
            connection.close()
            throw error
        }
    }

    func close() { connection.close() }

    private static func open(_ source: ConnectionInfo, id: BackupID) throws -> PGConnection {
        try PGConnection(
            source.withParameter("replication", "database"), applicationName: "lifeboat snapshot \(id.rawValue)")
    }

    private func receiver(_ mode: BaseBackupMode) -> BaseBackupReceiver {
        BaseBackupReceiver(
            context: snapshot.context, repository: snapshot.repository, keyring: snapshot.keyring,
            compression: snapshot.compression, id: id, written: written, mode: mode)
    }

    func receive(_ base: IncrementalBase?) throws -> Received {
        guard let base else { return Received(backup: try receiver(.full).receive(connection, label: label)) }
        let parent = ServerManifestUpload(
            repository: snapshot.repository, keyring: snapshot.keyring, cluster: snapshot.context.config.cluster,
            base: base)
        var note = walSummaryUnavailable()
        if note == nil && control.serverVersionNumber >= 170000 {
            do {
                try parent.upload(to: connection)
                let backup = try receiver(BaseBackupMode(serverIncremental: true)).receive(connection, label: label)
                return Received(backup: try checkTimeline(backup), method: .walSummary)
            } catch let refused as IncrementalRefused {
                note = "the server would not send an incremental from its WAL summaries: \(refused.detail)"
                snapshot.context.logger.warning("using page-lsn", metadata: ["reason": "\(refused.detail)"])
                connection.close()
                connection = try Self.open(source, id: id)
            }
        }
        let index = try parent.index()
        let backup = try receiver(BaseBackupMode(pageLSN: (index, base.since))).receive(connection, label: label)
        snapshot.context.logger.info(
            "page-lsn delta",
            metadata: [
                "files": "\(backup.deltaFiles)", "blocks stored": "\(backup.storedBlocks)",
                "blocks left out": "\(backup.skippedBlocks)",
            ])
        return Received(backup: try checkTimeline(backup), method: .pageLSN, methodNote: note)
    }

    /// nil when the server can send an incremental from WAL summaries (or is older than 17, where page-lsn is
    /// simply the method); otherwise what to change.
    func walSummaryUnavailable() -> String? {
        guard control.serverVersionNumber >= 170000 else { return nil }
        let setting = (try? control.query("SELECT current_setting('summarize_wal')").rows.first?[0]) ?? nil
        guard setting != "on" else { return nil }
        return "summarize_wal is off; with it on (ALTER SYSTEM SET summarize_wal = on; SELECT pg_reload_conf();) "
            + "the server sends only changed blocks"
    }

    /// An incremental's parent shares its timeline: the server must not have switched since IDENTIFY_SYSTEM.
    private func checkTimeline(_ backup: ReceivedBaseBackup) throws -> ReceivedBaseBackup {
        guard backup.startTimeline == system.timeline else {
            throw SnapshotError.timelineChanged(from: system.timeline, to: backup.startTimeline)
        }
        return backup
    }
}
