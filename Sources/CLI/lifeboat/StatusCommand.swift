// lifeboat status: live RPO exposure — how old the newest recoverable point is, against the objective.
// The newest recoverable point is the end of the newest recoverable window of the WAL archive (the archived
// time of its last segment), or the finish time of the newest logical backup when that is newer (or there is
// no WAL archive). Exit 0 when the exposure is within the objective, 3 when it exceeds it, 1 when nothing at
// all is recoverable.
import ArgumentParser
import Catalog
import Diagnostics
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

    struct Status: Encodable {
        var cluster: String
        var now: Date
        var objectiveSeconds: Double
        /// Where the objective came from: "--rpo", "policy <name>" or "default".
        var objectiveSource: String
        var newestRecoverablePoint: Date?
        var source: String?
        var exposureSeconds: Double?
        /// ok | exceeded | nothing_recoverable
        var status: String
        var recoveryWindow: RecoverableWindow?
        var newestBackup: String?
    }

    func run() throws {
        let context = try CommandContext(options, command: "status")
        let catalog = try context.catalog()
        let manifests = try catalog.manifests()
        let wal = try WALInventoryReader(context: context.engine, repository: catalog.repository, keyring: catalog.keyring)
            .inventory(manifests: manifests)
        let instant = now.flatMap(CatalogCoding.parseTimestamp) ?? context.engine.now()
        let (objective, objectiveSource) = try self.objective(context)
        let logical = manifests.filter { $0.kind == .logical }.max { $0.finishedAt < $1.finishedAt }
        let window = wal.report.newestWindow
        let exposure = RPOExposure.evaluate(newestWindowEnd: window?.toTime, newestStandaloneBackup: logical?.finishedAt,
                                            now: instant, objective: objective)
        let state = exposure.newestRecoverablePoint == nil ? "nothing_recoverable" : exposure.met ? "ok" : "exceeded"
        try context.emitJSON(Status(cluster: context.config.cluster, now: instant, objectiveSeconds: objective, objectiveSource: objectiveSource,
                                    newestRecoverablePoint: exposure.newestRecoverablePoint, source: exposure.source?.rawValue,
                                    exposureSeconds: exposure.exposureSeconds, status: state, recoveryWindow: window,
                                    newestBackup: exposure.source == .backup ? logical?.id.rawValue : window?.fromBackup))
        let recorder = MetricsRecorder.shared
        recorder.gauge("lifeboat_rpo_objective_seconds", objective, help: "The RPO objective status measures against.")
        if let seconds = exposure.exposureSeconds {
            recorder.gauge("lifeboat_rpo_exposure_seconds", seconds, help: "Now minus the newest recoverable point, when status last ran.")
        }
        if let point = exposure.newestRecoverablePoint {
            recorder.gauge("lifeboat_newest_recoverable_point_timestamp_seconds", point.timeIntervalSince1970,
                           help: "The newest point the repository can restore to (Unix time).")
        }
        Self.recordRepositorySize(manifests: manifests, walBytes: wal.storedBytes)
        let goal = RPOExposure.formatDuration(objective)
        guard let point = exposure.newestRecoverablePoint, let seconds = exposure.exposureSeconds else {
            let line = "RPO exposure unknown (objective \(goal)): nothing recoverable — no restorable snapshot with archived WAL and no logical backup of cluster '\(context.config.cluster)'"
            context.say(line)
            if options.quiet || options.json { ExitCodes.printError(line) }
            throw CommandOutcome(status: .failure)
        }
        let from = exposure.source == .walArchive ? "WAL archived through \(window?.toWal ?? "?")" : "backup \(logical?.id.rawValue ?? "?")"
        let line = "RPO exposure \(RPOExposure.formatDuration(seconds)) (objective \(goal)): \(exposure.met ? "ok" : "EXCEEDED")"
        context.say(line + " — newest recoverable point \(Output.timestamp(point)) (\(from))")
        if !exposure.met {
            if options.quiet || options.json { ExitCodes.printError(line) }
            throw CommandOutcome(status: .objectiveNotMet)
        }
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

    /// --rpo, else the policy's objectives.rpo, else 15 minutes (the RPO objective of policies/production.yml).
    func objective(_ context: CommandContext) throws -> (TimeInterval, String) {
        if let rpo, let seconds = RPOExposure.parseDuration(rpo) { return (seconds, "--rpo") }
        if let policy = try context.policyIfConfigured(), let seconds = policy.objectives.rpo { return (seconds, "policy \(policy.name)") }
        return (900, "default")
    }
}
