// lifeboat report: the compliance report of the cluster over a period (docs/reports.md): objectives; backups
// against the schedule; recovery-point coverage and the worst RPO exposure; drills with measured RPO/RTO and
// cadence; retention, encryption and immutability; a verdict with its reasons. Exit 3 when non-compliant.
import ArgumentParser
import Catalog
import Engine
import Foundation
import Reports

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case markdown, html, json
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Compliance report on RPO/RTO adherence over a period (exit 3 when non-compliant).",
        discussion: "The period is [--since, --until): by default the 30 days before now. Markdown for tickets, one self-contained HTML file for auditors (prints well), JSON for machines (docs/json.md).")

    @OptionGroup var options: GlobalOptions
    @Option(name: .long, help: "Start of the period (YYYY-MM-DD or RFC 3339; default: 30 days before --until).") var since: String?
    @Option(name: .long, help: "End of the period, exclusive (default: now).") var until: String?
    @Option(name: .long, help: "markdown (default), html or json.") var format: ReportFormat = .markdown
    @Option(name: .long, help: "Write the report to FILE instead of stdout.") var output: String?
    @Option(name: .long, help: "Evaluate as of this time (RFC 3339) instead of now.") var now: String?

    func validate() throws {
        for (name, value) in [("--since", since), ("--until", until), ("--now", now)] {
            if let value, CatalogCoding.parseTimestamp(value) == nil {
                throw ValidationError("\(name) '\(value)' is not a date; use YYYY-MM-DD or RFC 3339 such as 2026-11-01T00:00:00Z")
            }
        }
    }

    func run() throws {
        let context = try CommandContext(options, command: "report")
        let instant = now.flatMap(CatalogCoding.parseTimestamp) ?? context.engine.now()
        let end = min(until.flatMap(CatalogCoding.parseTimestamp) ?? instant, instant)
        let start = since.flatMap(CatalogCoding.parseTimestamp) ?? end.addingTimeInterval(-30 * 86_400)
        guard start < end else { throw ValidationError("the period is empty: --since must be before --until (and not after --now)") }
        let input = try ReportInputReader(context: context.engine, catalog: try context.catalog(), policy: try context.policyIfConfigured())
            .read(since: start, until: end, now: instant)
        let report = ReportBuilder.build(input, toolVersion: EngineContext.toolVersion)
        let text: String
        switch options.json ? .json : format {
        case .markdown: text = ReportRenderer.markdown(report)
        case .html: text = ReportRenderer.html(report)
        case .json: text = String(decoding: try CatalogCoding.encoder(pretty: true).encode(report), as: UTF8.self) + "\n"
        }
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            context.say("report written to \(output): \(report.verdict.compliant ? "COMPLIANT" : "NOT COMPLIANT")")
        } else if !options.quiet {
            print(text, terminator: "")
        }
        guard report.verdict.compliant else {
            ExitCodes.printError("cluster '\(report.cluster)' is not compliant: " + report.verdict.reasons.prefix(3).joined(separator: "; "))
            throw CommandOutcome(status: .objectiveNotMet)
        }
    }
}
