// lifeboat backup: take a backup (BackupRun commits its manifest last); prints a one-line summary (or --json).
import ArgumentParser
import Engine
import Foundation

enum BackupTypeOption: String, ExpressibleByArgument, CaseIterable {
    case logical
    case snapshot
}

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract:
            "Take a backup (logical: pg_dump of each database; snapshot: BASE_BACKUP of the cluster and its tablespaces, WAL-aligned)."
    )

    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "logical or snapshot (default: backup.type from the configuration).") var type:
        BackupTypeOption?
    @Option(name: .long, help: "Database to include (repeatable; default: every non-template database).") var database:
        [String] = []
    @Option(name: .long, help: "A label stored with the backup.") var label: String?
    @Option(name: .long, help: "Keep this backup at least until DATE (YYYY-MM-DD or RFC 3339).") var keepUntil: String?
    @Flag(name: .long, help: "Keep this backup until it is unpinned.") var pin = false
    @Flag(
        name: .long,
        help:
            "Snapshot only: store what changed since the newest usable snapshot (a full one when there is none, saying why)."
    ) var incremental = false
    @Flag(name: .long, help: "Snapshot only: take a full snapshot even when backup.incremental would not.") var full =
        false
    @Option(
        name: .long,
        help:
            "pg_dump workers per database (logical; default backup.jobs, 1). More than 1 dumps the directory format from one snapshot, each file streamed into the repository as it is written."
    ) var jobs: Int?
    @Flag(
        name: .long,
        help:
            "Snapshot only: read the data from postgres.standby_url (WAL still comes from the primary's archive; backup.from_standby: true makes it the default)."
    ) var fromStandby = false

    func validate() throws {
        if let keepUntil, CatalogCoding.parseTimestamp(keepUntil) == nil {
            throw ValidationError("--keep-until '\(keepUntil)' is not a date; use YYYY-MM-DD or 2026-12-31T00:00:00Z")
        }
        if pin && keepUntil != nil { throw ValidationError("pass either --pin or --keep-until, not both") }
        if incremental && full { throw ValidationError("pass either --incremental or --full, not both") }
        if (incremental || full) && type == .logical {
            throw ValidationError("--incremental and --full apply to snapshots; add --type snapshot")
        }
        if let jobs, !(1...64).contains(jobs) { throw ValidationError("--jobs must be between 1 and 64") }
        if fromStandby && type == .logical {
            throw ValidationError("--from-standby applies to snapshots (logical backups read the primary)")
        }
    }

    var incrementalMode: IncrementalMode { incremental ? .incremental : full ? .full : .configured }

    struct Summary: Codable {
        var id: String
        var cluster: String
        var kind: String
        var databases: [String]
        var startedAt: Date
        var finishedAt: Date
        var seconds: Double
        var dumpBytes: Int64
        var storedBytes: Int64
        var objects: Int
        var tables: Int
        var rows: Int64
        /// Snapshots: `full` or `incremental`.
        var type: String?
        /// Incremental snapshots: the parent, the number of backups a restore reads, how blocks were chosen.
        var parent: String?
        var chainLength: Int?
        var method: String?
        /// Why a full snapshot was taken although an incremental was asked for or configured.
        var fullReason: String?
        /// Why an incremental used page-lsn on a server that has WAL summaries.
        var methodNote: String?
        /// Snapshots read from the standby in postgres.standby_url: true (absent otherwise).
        var fromStandby: Bool?

        /// A snapshot lists no databases, tables or rows: it holds the whole cluster.
        init(_ outcome: BackupOutcome) {
            let manifest = outcome.manifest
            let snapshot = manifest.kind == .snapshot
            id = manifest.id.rawValue
            cluster = manifest.cluster
            kind = manifest.kind.rawValue
            databases = snapshot ? [] : manifest.databases.map(\.name)
            startedAt = manifest.startedAt
            finishedAt = manifest.finishedAt
            seconds = manifest.finishedAt.timeIntervalSince(manifest.startedAt)
            dumpBytes = manifest.contentBytes
            storedBytes = manifest.storedBytes
            objects = manifest.objects.count + 1
            tables = snapshot ? 0 : manifest.databases.reduce(0) { $0 + $1.tables.count }
            rows = snapshot ? 0 : manifest.databases.reduce(0) { $0 + $1.totalRows }
            guard snapshot else { return }
            let link = manifest.incremental
            type = link == nil ? "full" : "incremental"
            parent = link?.parent.rawValue
            chainLength = link.map { $0.chain.count + 1 }
            method = link?.method.rawValue
            fullReason = outcome.fullReason
            methodNote = outcome.methodNote
            fromStandby = manifest.snapshot?.fromStandby
        }
    }

    func run() throws {
        let context = try CommandContext(options, command: "backup")
        let (repository, keyring) = try context.unlockedRepository()
        let request = BackupRequest(
            kind: type.flatMap { BackupKind(rawValue: $0.rawValue) }, databases: database,
            label: label, pinned: pin,
            keepUntil: keepUntil.flatMap(CatalogCoding.parseTimestamp), incremental: incrementalMode, jobs: jobs,
            fromStandby: fromStandby)
        let outcome = try BackupRun(context: context.engine, repository: repository, keyring: keyring).run(request)
        let manifest = outcome.manifest
        let summary = Summary(outcome)
        try context.emitJSON(summary)
        Self.recordMetrics(manifest)
        let stored = Format.bytes(summary.storedBytes)
        let seconds = Format.duration(summary.seconds)
        let content = Format.bytes(summary.dumpBytes)
        if manifest.kind == .snapshot {
            let server = manifest.server
            let wal = "WAL \(server.startLsn) to \(server.stopLsn ?? "?") on timeline \(server.timeline ?? 0)"
            let type =
                summary.parent.map {
                    "incremental on \($0), \(summary.method ?? "?"), chain of \(summary.chainLength ?? 0)"
                }
                ?? "full"
            let origin = summary.fromStandby == true ? " from the standby" : ""
            context.say(
                "snapshot \(summary.id) complete (\(type))\(origin): \(wal) archived, \(content) copied, "
                    + "\(stored) stored, \(seconds)")
            if let reason = outcome.fullReason { context.say("full snapshot because \(reason)") }
            if let note = outcome.methodNote { context.say("page-lsn used: \(note)") }
        } else {
            context.say(
                "backup \(summary.id) complete: \(summary.databases.count) database(s), \(content) dumped, "
                    + "\(stored) stored, \(summary.rows) rows in \(summary.tables) tables, \(seconds)")
        }
    }

    /// Per backup type, so an alert can say which kind of backup is overdue.
    static func recordMetrics(_ manifest: BackupManifest) {
        let recorder = MetricsRecorder.shared
        let type = [("type", manifest.kind.rawValue)]
        recorder.record(bytes: manifest.storedBytes)
        recorder.gauge(
            "lifeboat_backup_last_success_timestamp_seconds", manifest.finishedAt.timeIntervalSince1970, labels: type,
            help: "Finish time of the newest complete backup of this type taken by this host (Unix time).")
        recorder.gauge(
            "lifeboat_backup_last_duration_seconds", manifest.finishedAt.timeIntervalSince(manifest.startedAt),
            labels: type,
            help: "Duration of the last complete backup of this type.")
        recorder.gauge(
            "lifeboat_backup_last_stored_bytes", Double(manifest.storedBytes), labels: type,
            help: "Bytes stored in the repository by the last complete backup of this type.")
    }
}
