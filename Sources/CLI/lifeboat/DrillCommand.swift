// lifeboat drill run|list|due: DR drills (drills/README.md). `run` restores a real backup into a scratch
// target, checks it, measures RTO and achieved RPO, records evidence in the repository; exit 0 when every check
// passed and the objectives were met, 3 when not, 1 when the drill could not run.
import ArgumentParser
import Engine
import Foundation

struct DrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Run DR drills and show their evidence.",
        subcommands: [DrillRunCommand.self, DrillListCommand.self, DrillDueCommand.self])
}

struct DrillRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Restore a backup into a scratch target, check it, measure RTO and RPO, record the evidence.",
        discussion:
            "Exit 0: every check passed and the objectives were met; 3: a check failed or an objective was missed; 1: the drill could not run; 2: the drill file is invalid."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "The drill file (drills/*.yml).") var file: String
    @Flag(name: .long, help: "Keep the scratch server or database afterwards.") var keep = false
    @Option(name: .long, help: "The simulated incident time T0 (RFC 3339); default: now.") var now: String?

    func validate() throws {
        if let now, CatalogCoding.parseTimestamp(now) == nil {
            throw ValidationError("--now '\(now)' is not a time; use RFC 3339 such as 2026-11-21T03:00:00Z")
        }
    }

    func run() throws {
        let context = try CommandContext(options, command: "drill")
        let incident = now.flatMap(CatalogCoding.parseTimestamp)
        if let incident, incident > context.engine.now().addingTimeInterval(1) {
            throw ValidationError(
                "--now is the simulated incident time T0 and cannot be in the future (RTO is measured from it)")
        }
        let definition = try DrillDefinitionFile.load(file)
        let session = DrillSession(
            context: context.engine, catalog: try context.catalog(), policies: context.policies,
            definition: definition)
        let binary =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let report = try session.run(
            DrillRunOptions(
                keep: keep, incidentAt: incident, binaryPath: binary,
                configPath: context.configPath))
        let evidence = report.evidence
        try context.emitJSON(evidence)
        Self.recordMetrics(report)
        context.say(report.summary)
        if let target = report.keptTarget {
            context.say(
                "kept: \(target); remove a scratch cluster with 'pg_ctl -D <dir>/data -m fast stop' and "
                    + "'rm -rf <dir>', a scratch database with 'DROP DATABASE'")
        }
        let reasons = evidence.reasons.joined(separator: "; ")
        let what = report.verdict == .failed ? "could not run" : "failed"
        try context.conclude(report.verdict, reason: "drill '\(evidence.drill)' \(what): " + reasons)
    }
}

extension DrillRunCommand {
    static func recordMetrics(_ report: DrillSession.Report) {
        let evidence = report.evidence
        let recorder = MetricsRecorder.shared
        let drill = [("drill", evidence.drill)]
        recorder.gauge(
            "lifeboat_drill_last_run_timestamp_seconds", evidence.finishedAt.timeIntervalSince1970, labels: drill,
            help: "When the drill last finished (Unix time).")
        recorder.gauge(
            "lifeboat_drill_last_passed", evidence.verdict == .passed ? 1 : 0, labels: drill,
            help: "1 when the drill's last run passed every check and met its objectives, else 0.")
        if let rto = evidence.rtoSeconds {
            recorder.gauge(
                "lifeboat_drill_last_rto_seconds", rto, labels: drill,
                help: "RTO measured by the drill's last run (T0 to checks done).")
        }
        if let rpo = evidence.rpoSeconds {
            recorder.gauge(
                "lifeboat_drill_last_rpo_seconds", rpo, labels: drill,
                help: "Achieved RPO measured by the drill's last run.")
        }
        if let objective = evidence.objectives.rtoSeconds {
            recorder.gauge(
                "lifeboat_drill_rto_objective_seconds", objective, labels: drill, help: "The drill's RTO objective.")
        }
        if let objective = evidence.objectives.rpoSeconds {
            recorder.gauge(
                "lifeboat_drill_rpo_objective_seconds", objective, labels: drill, help: "The drill's RPO objective.")
        }
        if let cadence = evidence.cadenceSeconds {
            recorder.gauge(
                "lifeboat_drill_cadence_seconds", cadence, labels: drill,
                help: "The drill's cadence: the longest allowed time between two runs (drill due judges it).")
        }
    }
}

struct DrillListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Past drills of the cluster, from the repository.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let context = try CommandContext(options, command: "drill list")
        let evidence = try DrillRunner.evidence(try context.catalog())
        try context.emitJSON(evidence)
        guard !evidence.isEmpty else {
            context.say("no drills recorded for cluster '\(context.config.cluster)'")
            return
        }
        var rows = [["RUN", "DRILL", "VERDICT", "BACKUP", "RTO", "RPO", "CHECKS"]]
        for run in evidence {
            rows.append([
                run.id, run.drill, run.verdict.rawValue.uppercased(), run.backup?.id ?? "-",
                run.rtoSeconds.map(Format.duration) ?? "-", run.rpoSeconds.map(Format.duration) ?? "-",
                "\(run.checks.filter(\.passed).count)/\(run.checks.count)",
            ])
        }
        context.say(Output.table(rows))
    }
}

struct DrillDueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "Drills whose cadence has lapsed (exit 3 if any).",
        discussion:
            "Drills are those recorded in the repository plus the drill files given (so a drill that never ran counts too)."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Drill files to include (drills/*.yml).") var files: [String] = []
    @Option(name: .long, help: "Evaluate at this time (RFC 3339) instead of now.") var now: String?

    func validate() throws {
        if let now, CatalogCoding.parseTimestamp(now) == nil {
            throw ValidationError("--now '\(now)' is not a time; use RFC 3339 such as 2027-06-01T00:00:00Z")
        }
    }

    func run() throws {
        let context = try CommandContext(options, command: "drill due")
        let definitions = try files.map(DrillDefinitionFile.load)
        let schedule = DrillSchedule(catalog: try context.catalog())
        let instant = now.flatMap(CatalogCoding.parseTimestamp) ?? context.engine.now()
        let report = try schedule.due(definitions: definitions, now: instant)
        let statuses = report.statuses
        try context.emitJSON(statuses)
        var rows = [["DRILL", "LAST RUN", "VERDICT", "DUE", "STATUS"]]
        for status in statuses {
            rows.append([
                status.drill, status.lastRun.map(Output.timestamp) ?? "never", status.lastVerdict?.rawValue ?? "-",
                status.dueAt.map(Output.timestamp) ?? "-",
                status.due ? "DUE: " + status.reason : "ok: " + status.reason,
            ])
        }
        context.say(statuses.isEmpty ? "no drills known: pass drill files, or run one" : Output.table(rows))
        let due = report.due
        try context.conclude(
            report.verdict,
            reason: "\(due.count) drill(s) due: " + due.map(\.drill).joined(separator: ", "))
    }
}

struct HeartbeatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heartbeat",
        abstract: "Write a heartbeat row into the source database (lifeboat.heartbeat), for drills to measure RPO.",
        discussion:
            "Opt-in: creates schema 'lifeboat' and table 'lifeboat.heartbeat' on first use. Run it regularly (e.g. every minute from cron); a drill reports the newest heartbeat found in the restored database as the recovery point."
    )

    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "Database to write into (default: the one in postgres.url).") var database: String?

    func run() throws {
        let context = try CommandContext(options, command: "heartbeat")
        let at = try HeartbeatWriter.write(url: context.config.postgres.url, database: database)
        try context.emitJSON(["at": CatalogCoding.formatTimestamp(at)])
        context.say("heartbeat written at \(Output.timestamp(at))")
    }
}
