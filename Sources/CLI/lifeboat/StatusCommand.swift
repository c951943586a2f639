// lifeboat status: live RPO exposure — how old the newest recoverable point is, against the objective.
// The newest recoverable point is the end of the newest recoverable window of the WAL archive (the archived
// time of its last segment), or the finish time of the newest logical backup when that is newer (or there is
// no WAL archive). Exit 0 when the exposure is within the objective, 3 when it exceeds it, 1 when nothing at
// all is recoverable. The engine (RPOStatusCheck) decides; this file shows the result and records the metrics.
// With --all-clusters (FleetStatusCheck) it shows one row per cluster of the repository and exits with the worst
// cluster's verdict; its gauges are not written, as they are labelled with the configured cluster.
import ArgumentParser
import Engine
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Live RPO exposure: the newest recoverable point vs now vs the objective.",
        discussion: """
            The newest recoverable point is the archived time of the last WAL segment contiguous with a restorable \
            snapshot (an upper bound of the last commit it holds), or the finish time of the newest logical backup \
            when that is newer. Exit 0 when now minus that point is within the objective, 3 when it exceeds it, 1 \
            when nothing is recoverable. The objective is --rpo when given, else the policy's objectives.rpo \
            (policies/README.md), else 15m. --all-clusters: one row per cluster in the repository, each against \
            that objective (the configured policy applies to every cluster), exit status of the worst cluster \
            (1 nothing recoverable, 3 exceeded, 0 all within).
            """)

    @OptionGroup var options: GlobalOptions
    @Option(
        name: .long,
        help: "Recovery point objective, e.g. 15m, 1h, 1h30m, 90s (default: the policy's objectives.rpo, else 15m).")
    var rpo: String?
    @Option(name: .long, help: "Evaluate at this time instead of now (RFC 3339), for tests and what-if checks.")
    var now: String?
    @Flag(name: .long, help: "One row per cluster in the repository; the exit status is the worst cluster's.")
    var allClusters = false

    func validate() throws {
        if let rpo, (RPOExposure.parseDuration(rpo) ?? 0) <= 0 {
            throw ValidationError("--rpo '\(rpo)' is not a duration; use e.g. 15m, 1h, 1h30m or 90s")
        }
        if let now, CatalogCoding.parseTimestamp(now) == nil {
            throw ValidationError("--now '\(now)' is not a time; use RFC 3339 such as 2026-11-21T19:53:12Z")
        }
    }

    func run() throws {
        let context = try CommandContext(options, command: "status")
        guard !allClusters else { return try runFleet(context) }
        // Before the repository is opened: during an outage the queue is what matters, and it is local.
        if context.config.wal.async, let root = context.config.wal.spoolDir {
            let queue = WALAsyncSpool(root: root, cluster: context.config.cluster)
                .inspect(now: now.flatMap(CatalogCoding.parseTimestamp) ?? Date())
            Self.recordQueue(queue)
            context.say(Self.queueLine(queue))
        }
        let check = RPOStatusCheck(context: context.engine, catalog: try context.catalog(), policies: context.policies)
        let result = try check.run(
            rpo: rpo.flatMap(RPOExposure.parseDuration),
            at: now.flatMap(CatalogCoding.parseTimestamp))
        let status = result.status
        let exposure = result.exposure
        try context.emitJSON(status)
        let recorder = MetricsRecorder.shared
        recorder.gauge(
            "lifeboat_rpo_objective_seconds", status.objectiveSeconds,
            help: "The RPO objective status measures against.")
        if let seconds = exposure.exposureSeconds {
            recorder.gauge(
                "lifeboat_rpo_exposure_seconds", seconds,
                help: "Now minus the newest recoverable point, when status last ran.")
        }
        if let point = exposure.newestRecoverablePoint {
            recorder.gauge(
                "lifeboat_newest_recoverable_point_timestamp_seconds", point.timeIntervalSince1970,
                help: "The newest point the repository can restore to (Unix time).")
        }
        Self.recordRepositorySize(manifests: result.manifests, walBytes: result.walStoredBytes)
        if let receiver = status.receiver { Self.recordReceiver(receiver) }
        Self.recordChains(result)
        if result.brokenChains > 0 {
            context.say(
                "note: \(result.brokenChains) incremental snapshot(s) cannot be restored: their chain is broken "
                    + "(see 'lifeboat list', 'lifeboat verify --all')")
        }
        let goal = RPOExposure.formatDuration(status.objectiveSeconds)
        guard let point = exposure.newestRecoverablePoint, let seconds = exposure.exposureSeconds else {
            let line =
                "RPO exposure unknown (objective \(goal)): nothing recoverable — no restorable snapshot with archived WAL and no logical backup of cluster '\(context.config.cluster)'"
            context.say(line)
            return try context.conclude(result.verdict, reason: line)
        }
        let from =
            exposure.source == .walArchive
            ? "WAL archived through \(status.recoveryWindow?.toWal ?? "?")" : "backup \(status.newestBackup ?? "?")"
        let line =
            "RPO exposure \(RPOExposure.formatDuration(seconds)) (objective \(goal)): \(exposure.met ? "ok" : "EXCEEDED")"
        context.say(line + " — newest recoverable point \(Output.timestamp(point)) (\(from))")
        if let receiver = status.receiver { context.say(Self.receiverLine(receiver)) }
        try context.conclude(result.verdict, reason: line)
    }

    /// "wal receive: 0 B behind, caught up 3s ago (slot lifeboat_main, timeline 1, at 0/5A0000; state of host db1
    /// written 2s ago)".
    static func receiverLine(_ lag: WALReceiverLag) -> String {
        let behind = lag.lagSeconds.map { "caught up \(RPOExposure.formatDuration($0)) ago" } ?? "never caught up"
        let written = max(0, Date().timeIntervalSince(lag.updatedAt))
        return "wal receive: \(lag.lagBytes) bytes behind the server, \(behind) (slot \(lag.slot), timeline "
            + "\(lag.timeline), committed through \(lag.committedLsn); state written by \(lag.host) "
            + "\(RPOExposure.formatDuration(written)) ago)"
    }

    static func recordReceiver(_ lag: WALReceiverLag) {
        let recorder = MetricsRecorder.shared
        recorder.gauge(
            "lifeboat_wal_receiver_lag_bytes", Double(lag.lagBytes),
            help: "Bytes of WAL the server had that the repository lacked when wal receive last committed.")
        if let seconds = lag.lagSeconds {
            recorder.gauge(
                "lifeboat_wal_receiver_lag_seconds", seconds,
                help: "Now minus the newest time up to which the repository holds all WAL streamed by wal receive.")
        }
        recorder.gauge(
            "lifeboat_wal_receiver_updated_timestamp_seconds", lag.updatedAt.timeIntervalSince1970,
            help: "When wal receive last wrote its state (Unix time): a stopped receiver leaves it behind.")
    }

    func runFleet(_ context: CommandContext) throws {
        let (repository, keyring) = try context.unlockedRepository()
        let check = FleetStatusCheck(
            context: context.engine, repository: repository, keyring: keyring,
            policies: context.policies)
        let result = try check.run(
            rpo: rpo.flatMap(RPOExposure.parseDuration),
            at: now.flatMap(CatalogCoding.parseTimestamp))
        let report = result.report
        try context.emitJSON(report)
        let goal = RPOExposure.formatDuration(report.objectiveSeconds)
        guard !report.clusters.isEmpty else {
            let line = "RPO exposure unknown (objective \(goal)): no clusters in \(report.repository)"
            context.say(line)
            return try context.conclude(result.verdict, reason: line)
        }
        context.say(Output.table(Self.fleetRows(report.clusters)))
        let problems = report.clusters.filter { $0.status != "ok" }
        let line =
            "\(report.clusters.count) cluster\(report.clusters.count == 1 ? "" : "s"), objective \(goal) "
            + "(\(report.objectiveSource), applied to every cluster): "
            + (problems.isEmpty ? "all ok" : problems.map { "\($0.cluster) \($0.status)" }.joined(separator: ", "))
        context.say("\n" + line)
        try context.conclude(result.verdict, reason: line)
    }

    /// The header and one row per cluster: exposure, newest point, newest backup per type, newest drill.
    static func fleetRows(_ clusters: [FleetClusterStatus]) -> [[String]] {
        var rows = [
            [
                "CLUSTER", "STATUS", "EXPOSURE", "NEWEST RECOVERABLE POINT", "LAST LOGICAL", "LAST SNAPSHOT",
                "LAST DRILL",
            ]
        ]
        for row in clusters {
            let drill = row.lastDrill.map { "\($0.drill) \(Output.timestamp($0.at)) \($0.verdict)" } ?? "never"
            rows.append([
                row.cluster, row.status.uppercased(),
                row.exposureSeconds.map(RPOExposure.formatDuration) ?? "-",
                row.newestRecoverablePoint.map(Output.timestamp) ?? (row.error ?? "none"),
                row.lastBackup(.logical).map { Output.timestamp($0.finishedAt) } ?? "-",
                row.lastBackup(.snapshot).map {
                    Output.timestamp($0.finishedAt) + ($0.type == "incremental" ? " (incremental)" : "")
                } ?? "-", drill,
            ])
        }
        return rows
    }

    /// One line on asynchronous archiving: what waits, and the pusher's state.
    static func queueLine(_ status: WALAsyncStatus) -> String {
        let queue = status.queue.map { queue in
            "\(queue.segments) file\(queue.segments == 1 ? "" : "s") (\(queue.bytes >> 20) MiB) waiting to be archived"
                + (queue.segments > 0 ? ", oldest \(RPOExposure.formatDuration(queue.oldestWaitingSeconds))" : "")
        }
        var line = "WAL queue (async): \(queue ?? "unknown (pg_wal is not readable here)"); pusher \(status.pusher)"
        if let pid = status.pid, status.pusher == "running" || status.pusher == "failing" { line += " (pid \(pid))" }
        if status.pusher == "failing" || status.pusher == "dead", let error = status.lastError {
            line += " — last error: \(error)"
        }
        if let last = status.dropped.last {
            line +=
                "\n\(status.dropped.count) WAL segment(s) DROPPED without being archived (wal.queue_max), the last \(last): "
                + "the archive has a gap there; take a snapshot, then delete the records in \(status.spool)/dropped"
        }
        return line
    }

    /// The queue as gauges; the pusher's state as 1 on the matching `state` label and 0 on the others.
    static func recordQueue(_ status: WALAsyncStatus) {
        let recorder = MetricsRecorder.shared
        if let queue = status.queue {
            recorder.gauge(
                "lifeboat_wal_queue_files", Double(queue.segments),
                help: "WAL files waiting to be archived asynchronously (.ready, not yet archived by the pusher).")
            recorder.gauge(
                "lifeboat_wal_queue_bytes", Double(queue.bytes), help: "Bytes of the WAL files waiting to be archived.")
            recorder.gauge(
                "lifeboat_wal_queue_oldest_age_seconds", queue.oldestWaitingSeconds,
                help: "How long the oldest WAL file waiting to be archived has waited.")
        }
        recorder.gauge(
            "lifeboat_wal_dropped_files", Double(status.dropped.count),
            help: "WAL segments wal push dropped without archiving them (wal.queue_max), recorded in the spool.")
        for phase in ["running", "failing", "stopped", "dead", "never_started"] {
            recorder.gauge(
                "lifeboat_wal_pusher_state", status.pusher == phase ? 1 : 0, labels: [("state", phase)],
                help: "The background WAL pusher's state when status last ran (1 on the current state).")
        }
    }

    /// Incremental chains (docs/format.md §6.5): how long the newest snapshot's is, and how many are broken.
    static func recordChains(_ result: RPOStatusCheck.Result) {
        MetricsRecorder.shared.gauge(
            "lifeboat_backup_newest_chain_length", Double(result.newestSnapshotChainLength),
            help: "Backups a restore of the newest snapshot reads: 1 for a full, more for an incremental, 0 without.")
        MetricsRecorder.shared.gauge(
            "lifeboat_backup_broken_chains", Double(result.brokenChains),
            help: "Incremental snapshots whose chain does not authenticate: listed, but not restorable.")
    }

    /// The cluster's footprint in the repository, from what status reads anyway (the manifests and one WAL
    /// listing): complete backups per type and the WAL archive. Every type is written, 0 when there is none.
    static func recordRepositorySize(manifests: [BackupManifest], walBytes: Int64) {
        let help =
            "Bytes the cluster's complete backups of this type (logical, snapshot) or its WAL archive (wal) take in the repository."
        for kind in BackupKind.allCases {
            let bytes = manifests.filter { $0.kind == kind }.reduce(Int64(0)) { $0 + $1.storedBytes }
            MetricsRecorder.shared.gauge(
                "lifeboat_repository_stored_bytes", Double(bytes), labels: [("type", kind.rawValue)], help: help)
        }
        MetricsRecorder.shared.gauge(
            "lifeboat_repository_stored_bytes", Double(walBytes), labels: [("type", "wal")], help: help)
    }
}
