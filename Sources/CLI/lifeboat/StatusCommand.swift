// lifeboat status: live RPO exposure — how old the newest recoverable point is, against the objective.
// The newest recoverable point is the end of the newest recoverable window of the WAL archive (the archived
// time of its last segment), or the finish time of the newest logical backup when that is newer (or there is
// no WAL archive). Exit 0 when the exposure is within the objective, 3 when it exceeds it, 1 when nothing at
// all is recoverable. The engine (RPOStatusCheck) decides; this file shows the result and records the metrics.
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
            (policies/README.md), else 15m.
            """)

    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "Recovery point objective, e.g. 15m, 1h, 1h30m, 90s (default: the policy's objectives.rpo, else 15m).")
    var rpo: String?
    @Option(name: .long, help: "Evaluate at this time instead of now (RFC 3339), for tests and what-if checks.")
    var now: String?

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
        let check = RPOStatusCheck(context: context.engine, catalog: try context.catalog(), policies: context.policies)
        let result = try check.run(rpo: rpo.flatMap(RPOExposure.parseDuration),
                                   at: now.flatMap(CatalogCoding.parseTimestamp))
        let status = result.status, exposure = result.exposure
        try context.emitJSON(status)
        let recorder = MetricsRecorder.shared
        recorder.gauge("lifeboat_rpo_objective_seconds", status.objectiveSeconds,
                       help: "The RPO objective status measures against.")
        if let seconds = exposure.exposureSeconds {
            recorder.gauge("lifeboat_rpo_exposure_seconds", seconds, help: "Now minus the newest recoverable point, when status last ran.")
        }
        if let point = exposure.newestRecoverablePoint {
            recorder.gauge("lifeboat_newest_recoverable_point_timestamp_seconds", point.timeIntervalSince1970,
                           help: "The newest point the repository can restore to (Unix time).")
        }
        Self.recordRepositorySize(manifests: result.manifests, walBytes: result.walStoredBytes)
        let goal = RPOExposure.formatDuration(status.objectiveSeconds)
        guard let point = exposure.newestRecoverablePoint, let seconds = exposure.exposureSeconds else {
            let line = "RPO exposure unknown (objective \(goal)): nothing recoverable — no restorable snapshot with archived WAL and no logical backup of cluster '\(context.config.cluster)'"
            context.say(line)
            return try context.conclude(result.verdict, reason: line)
        }
        let from = exposure.source == .walArchive
            ? "WAL archived through \(status.recoveryWindow?.toWal ?? "?")" : "backup \(status.newestBackup ?? "?")"
        let line = "RPO exposure \(RPOExposure.formatDuration(seconds)) (objective \(goal)): \(exposure.met ? "ok" : "EXCEEDED")"
        context.say(line + " — newest recoverable point \(Output.timestamp(point)) (\(from))")
        try context.conclude(result.verdict, reason: line)
    }

    /// The cluster's footprint in the repository, from what status reads anyway (the manifests and one WAL
    /// listing): complete backups per type and the WAL archive. Every type is written, 0 when there is none.
    static func recordRepositorySize(manifests: [BackupManifest], walBytes: Int64) {
        let help = "Bytes the cluster's complete backups of this type (logical, snapshot) or its WAL archive (wal) take in the repository."
        for kind in BackupKind.allCases {
            let bytes = manifests.filter { $0.kind == kind }.reduce(Int64(0)) { $0 + $1.storedBytes }
            MetricsRecorder.shared.gauge("lifeboat_repository_stored_bytes", Double(bytes), labels: [("type", kind.rawValue)], help: help)
        }
        MetricsRecorder.shared.gauge("lifeboat_repository_stored_bytes", Double(walBytes), labels: [("type", "wal")], help: help)
    }
}
