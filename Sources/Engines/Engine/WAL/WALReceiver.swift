// WALReceiver: `lifeboat wal receive`, a long-running service that streams WAL over a physical replication
// connection and stores it in the repository (docs/format.md §8.7). Every completed segment is archived through
// `WALArchive.push`, the same object, record and exclusive commit as `wal push` (whichever stores a segment first
// wins; the other finds the identical file archived and succeeds). Every `wal.partial_every` the segment being
// filled is stored as a partial (WALArchive+Partial.swift). The server is told a position is flushed only after
// it is committed, so the slot keeps on the server every byte the repository lacks, across crashes and
// restarts of either side: a reconnect starts again where the archive ends (WALStreamStart).
//
// One session: IDENTIFY_SYSTEM, the slot (READ_REPLICATION_SLOT, else CREATE_REPLICATION_SLOT … PHYSICAL
// (RESERVE_WAL)), the timeline's history file (TIMELINE_HISTORY, archived like `wal push` archives it), then
// START_REPLICATION SLOT … PHYSICAL <start> TIMELINE <tli> and the stream (WALReceiver+Stream.swift). When the
// stream ends (the server shut down, a standby was promoted onto a new timeline) or breaks, the receiver
// reconnects with backoff and follows the server's current timeline. Errors that retrying cannot fix (WAL of
// another system or a different file under an archived name, damaged data, a bad configuration) stop it.
import Catalog
import Configuration
import Diagnostics
import Foundation
import PGClient
import Storage
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public final class WALReceiver {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    let archive: WALArchive
    let slot: String
    let spool: WALReceiverSpool
    var settings: WALSettings { context.config.wal }
    var cluster: String { context.config.cluster }
    /// The newest state record written (status reads it): kept across sessions so lag is never reset.
    var caughtUpAt: Date?
    private var lastRetentionWarning = Date.distantPast

    public init(context: EngineContext, repository: Repository, keyring: Keyring) throws {
        self.context = context
        self.repository = repository
        self.keyring = keyring
        archive = WALArchive(context: context, repository: repository, keyring: keyring)
        slot = context.config.wal.slotName(cluster: context.config.cluster)
        spool = try WALReceiverSpool(cluster: context.config.cluster, environment: context.environment)
    }

    /// Runs until an error that retrying cannot fix, or (tests) until `sessions` sessions ended.
    public func run(sessions: Int? = nil) throws {
        var ended = 0
        var delay = 1.0
        while sessions.map({ ended < $0 }) ?? true {
            let started = Date()
            do {
                try session()
                context.logger.notice("the replication stream ended; reconnecting", metadata: ["slot": "\(slot)"])
            } catch {
                guard Self.isRetryable(error) else { throw error }
                context.logger.warning(
                    "wal receive: \(ProblemText.of(error)); reconnecting in \(Int(delay)) s",
                    metadata: ["slot": "\(slot)"])
            }
            ended += 1
            spool.removeFiles()
            if Date().timeIntervalSince(started) > 60 { delay = 1 }
            Thread.sleep(forTimeInterval: delay)
            delay = min(delay * 2, 30)
        }
    }

    /// Connection trouble, a server going away, a repository briefly unreachable: retried. Data that disagrees
    /// with the archive, damage, configuration: not.
    static func isRetryable(_ error: Error) -> Bool {
        if let error = error as? WALError {
            if case .commitContended = error { return true }
            return false
        }
        if let error = error as? WALReceiveError {
            if case .streamGap = error { return true }  // a fresh stream starts where the archive ends
            return false
        }
        if let error = error as? any LifeboatError {
            return error.exitStatus != .integrity && error.exitStatus != .usage
        }
        return true
    }

    // MARK: one session

    func session() throws {
        let info = try ConnectionInfo(context.config.postgres.url).withParameter("replication", "database")
        let connection = try PGConnection(info, applicationName: "lifeboat wal receive")
        defer { connection.close() }
        let system = try identify(connection)
        try checkSystem(system.systemIdentifier)
        let segmentSize = try self.segmentSize(connection)
        let slotRestart = try ensureSlot(connection)
        let switchPoint = system.timeline > 1 ? try archiveHistory(connection, timeline: system.timeline) : nil
        let newest = try newestArchived(timeline: system.timeline, segmentSize: segmentSize)
        let start = WALStreamStart.decide(
            timeline: system.timeline, segmentSize: segmentSize, newestArchived: newest, switchPoint: switchPoint,
            slotRestart: slotRestart, serverPosition: system.position)
        warnAboutRetention(serverEnd: system.position.value, committed: slotRestart?.value)
        let position = try startStreaming(connection, start: start, timeline: system.timeline)
        context.logger.notice(
            "wal receive streaming",
            metadata: [
                "slot": "\(slot)", "timeline": "\(system.timeline)", "from": "\(position)", "why": "\(start.reason)",
            ])
        var stream = WALStream(
            receiver: self, connection: connection, timeline: system.timeline, segmentSize: segmentSize,
            systemIdentifier: system.systemIdentifier, start: position)
        try stream.run()
    }

    struct SystemFacts {
        var systemIdentifier: UInt64
        var timeline: UInt32
        var position: LSN
    }

    func identify(_ connection: PGConnection) throws -> SystemFacts {
        let result = try connection.simpleQuery("IDENTIFY_SYSTEM")
        guard let row = result.rows.first, let id = row[0].flatMap({ UInt64($0) }),
            let timeline = row[1].flatMap({ UInt32($0) }), let position = row[2].flatMap({ LSN($0) })
        else { throw PGError.unexpectedResult("IDENTIFY_SYSTEM answered \(result.rows)") }
        return SystemFacts(systemIdentifier: id, timeline: timeline, position: position)
    }

    /// WAL of another database system is refused before anything is streamed (as `wal push` refuses it).
    func checkSystem(_ found: UInt64) throws {
        let key = try ObjectKey(RepositoryLayout.walSystemIdentifier(cluster: cluster))
        guard let bytes = try? repository.getSealed(key, lookup: keyring.lookup),
            let record = try? CatalogCoding.decoder().decode(WALSystemRecord.self, from: Data(bytes))
        else { return }  // none yet: the first segment archived pins it, as a push does
        guard record.systemIdentifier == String(found) else {
            throw WALError.systemIdentifierMismatch(
                name: "(stream)", cluster: cluster, found: String(found), recorded: record.systemIdentifier)
        }
    }

    func segmentSize(_ connection: PGConnection) throws -> UInt64 {
        let result = try connection.simpleQuery("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'")
        guard let size = result.rows.first?[0].flatMap({ UInt64($0) }), WALSegmentHeader.isValidSegmentSize(size)
        else { throw PGError.unexpectedResult("wal_segment_size is \(result.rows)") }
        return size
    }

    /// The slot's restart_lsn, creating the slot (reserving WAL from now) when it does not exist.
    func ensureSlot(_ connection: PGConnection) throws -> LSN? {
        let found = try connection.simpleQuery("READ_REPLICATION_SLOT \(slot)")
        if let row = found.rows.first, let type = row[0] {
            guard type == "physical" else { throw WALReceiveError.notPhysicalSlot(slot: slot, type: type) }
            return row[1].flatMap { LSN($0) }
        }
        _ = try connection.simpleQuery("CREATE_REPLICATION_SLOT \(slot) PHYSICAL (RESERVE_WAL)")
        context.logger.notice("created physical replication slot", metadata: ["slot": "\(slot)"])
        return nil
    }

    /// Archives the history file of `timeline` (as `wal push` would; identical re-archiving succeeds) and returns
    /// where the timeline begins.
    func archiveHistory(_ connection: PGConnection, timeline: UInt32) throws -> LSN? {
        let result = try connection.simpleQuery("TIMELINE_HISTORY \(timeline)")
        guard let row = result.rows.first, let name = row[0], let content = row[1], WALName(name)?.kind == .history
        else { throw PGError.unexpectedResult("TIMELINE_HISTORY \(timeline) sent no history file") }
        let path = spool.path(name)
        unlink(path)
        try SystemError.mapped {
            try DurableFile.create(path, with: Array(content.utf8), mode: 0o600)
        } into: {
            WALReceiveError.spoolUnusable(path: path, detail: $0.reason)
        }
        defer { unlink(path) }
        _ = try archive.push(path: path)
        return WALStreamStart.switchPoint(historyText: content)
    }

    /// The newest segment number archived on `timeline` (one listing of the cluster's archive).
    func newestArchived(timeline: UInt32, segmentSize: UInt64) throws -> UInt64? {
        let listing = try WALListing.list(repository.store, cluster: cluster)
        return listing.committedFiles(cluster: cluster).lazy
            .filter { $0.name.kind == .segment && $0.name.timeline == timeline && !$0.objects.isEmpty }
            .compactMap { $0.name.segmentNumber(segmentSize: segmentSize) }.max()
    }

    /// START_REPLICATION at the chosen start, or at its fallback when the server no longer has that WAL.
    func startStreaming(_ connection: PGConnection, start: WALStreamStart, timeline: UInt32) throws -> LSN {
        let command = { (lsn: LSN) in "START_REPLICATION SLOT \(self.slot) PHYSICAL \(lsn) TIMELINE \(timeline)" }
        do {
            try connection.startCopyBoth(command(start.start))
            return start.start
        } catch PGError.queryFailed(let state, let detail) where state == "58P01" && start.fallback != nil {
            let fallback = start.fallback!
            let text =
                "the server no longer has WAL from \(start.start) (\(detail)); streaming from \(fallback): "
                + "WAL between them is archived only if archive_command (wal push) archived it"
            context.logger.warning("\(text)")
            try connection.startCopyBoth(command(fallback))
            return fallback
        }
    }

    /// Warns (at most once a minute) when the server keeps more WAL for the slot than `wal.slot_retained_warn`.
    func warnAboutRetention(serverEnd: UInt64, committed: UInt64?) {
        guard let committed, serverEnd > committed else { return }
        let retained = serverEnd - committed
        guard retained > UInt64(settings.slotRetainedWarn), Date().timeIntervalSince(lastRetentionWarning) > 60
        else { return }
        lastRetentionWarning = Date()
        let mebibytes = String(retained >> 20)
        let limit = String(settings.slotRetainedWarn >> 20)
        let text =
            "replication slot '\(slot)' retains \(mebibytes) MiB of WAL on the server (wal.slot_retained_warn is "
            + "\(limit) MiB): the repository is falling behind and pg_wal grows until it catches up; if the receiver "
            + "is retired, drop the slot with SELECT pg_drop_replication_slot('\(slot)')"
        context.logger.warning("\(text)")
    }

    /// The state record status reads (WALReceiverState); a failure to write it only costs status its lag.
    func writeState(timeline: UInt32, committed: UInt64, serverEnd: UInt64) {
        let state = WALReceiverState(
            cluster: cluster, slot: slot, timeline: timeline, committedLsn: LSN(committed).description,
            serverLsn: LSN(max(serverEnd, committed)).description, caughtUpAt: caughtUpAt, updatedAt: context.now(),
            tool: EngineContext.toolInfo)
        do {
            try repository.putSealedRecord(
                state, at: try ObjectKey(RepositoryLayout.walReceiverState(cluster)), with: keyring.current)
        } catch {
            context.logger.warning("could not write the receiver's state", metadata: ["error": "\(error)"])
        }
    }
}
