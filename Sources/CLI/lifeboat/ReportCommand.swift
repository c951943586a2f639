// lifeboat report: the compliance report of the cluster over a period (docs/reports.md): objectives; backups
// against the schedule; recovery-point coverage and the worst RPO exposure; drills with measured RPO/RTO and
// cadence; retention, encryption and immutability; a verdict with its reasons. Exit 3 when non-compliant;
// exit 0 for "insufficient history" (nothing violated, the repository is too young to judge everything): 3 is
// "an objective is not met" in the product's contract, and a cron job must not page for a new repository —
// the verdict is stated on stderr and in the report instead. --all-clusters (FleetReporting) reports every
// cluster of the repository with a summary and an overall verdict, and exits the same way.
import ArgumentParser
import Engine
import Foundation

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case markdown, html, json

    var engineFormat: ComplianceReporting.Format {
        switch self {
        case .markdown: return .markdown
        case .html: return .html
        case .json: return .json
        }
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Compliance report on RPO/RTO adherence over a period (exit 3 when non-compliant, 0 with insufficient history).",
        discussion:
            "The period is [--since, --until): by default the 30 days before now. Markdown for tickets, one self-contained HTML file for auditors (prints well), JSON for machines (docs/json.md)."
    )

    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "Start of the period (YYYY-MM-DD or RFC 3339; default: 30 days before --until).")
    var since: String?
    @Option(name: .long, help: "End of the period, exclusive (default: now).") var until: String?
    @Option(name: .long, help: "markdown (default), html or json.") var format: ReportFormat = .markdown
    @Option(name: .long, help: "Write the report to FILE instead of stdout.") var output: String?
    @Option(name: .long, help: "Evaluate as of this time (RFC 3339) instead of now.") var now: String?
    @Flag(
        name: .long,
        help: "Every cluster in the repository: a summary per cluster and an overall verdict, then each report.")
    var allClusters = false

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until), ("--now", now)] {
            if let value, CatalogCoding.parseTimestamp(value) == nil {
                throw ValidationError(
                    "\(name) '\(value)' is not a date; use YYYY-MM-DD or RFC 3339 such as 2026-11-01T00:00:00Z")
            }
        }
    }

    func run() throws {
        let context = try CommandContext(options, command: "report")
        let instant = now.flatMap(CatalogCoding.parseTimestamp) ?? context.engine.now()
        let end = min(until.flatMap(CatalogCoding.parseTimestamp) ?? instant, instant)
        let start = since.flatMap(CatalogCoding.parseTimestamp) ?? end.addingTimeInterval(-30 * 86_400)
        guard start < end else {
            throw ValidationError("the period is empty: --since must be before --until (and not after --now)")
        }
        let chosenFormat = options.json ? .json : format
        guard !allClusters else {
            return try runFleet(context, since: start, until: end, now: instant, format: chosenFormat)
        }
        let reporting = ComplianceReporting(
            context: context.engine, catalog: try context.catalog(),
            policies: context.policies)
        let outcome = try reporting.run(since: start, until: end, now: instant, format: chosenFormat.engineFormat)
        if let output {
            try Data(outcome.text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            context.say("report written to \(output): \(outcome.verdictText)")
        } else if !options.quiet {
            print(outcome.text, terminator: "")
        }
        if outcome.hasInsufficientHistory && !options.quiet {
            FileHandle.standardError.write(
                Data(
                    ("note: cluster '\(outcome.cluster)' has insufficient history to judge "
                        + outcome.unjudgedObjectives.joined(separator: ", ") + "; nothing was violated (exit 0)\n").utf8
                ))
        }
        if outcome.verdict != .passed {
            ExitCodes.printError(
                "cluster '\(outcome.cluster)' is not compliant: "
                    + outcome.reasons.prefix(3).joined(separator: "; "))
        }
        try context.conclude(outcome.verdict)
    }

    func runFleet(_ context: CommandContext, since: Date, until: Date, now: Date, format: ReportFormat) throws {
        let (repository, keyring) = try context.unlockedRepository()
        let reporting = FleetReporting(
            context: context.engine, repository: repository, keyring: keyring,
            policies: context.policies)
        let outcome = try reporting.run(since: since, until: until, now: now, format: format.engineFormat)
        if let output {
            try Data(outcome.text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            context.say(
                "fleet report written to \(output): \(outcome.verdictText) "
                    + "(\(outcome.clusters.count) cluster\(outcome.clusters.count == 1 ? "" : "s"))")
        } else if !options.quiet {
            print(outcome.text, terminator: "")
        }
        if outcome.hasInsufficientHistory && !options.quiet {
            FileHandle.standardError.write(
                Data(
                    ("note: " + outcome.reasons.joined(separator: "; ")
                        + "; nothing was violated (exit 0)\n").utf8))
        }
        if outcome.verdict != .passed {
            ExitCodes.printError("the fleet is not compliant: " + outcome.reasons.prefix(3).joined(separator: "; "))
        }
        try context.conclude(outcome.verdict)
    }
}
