// MarkdownReport: the report as Markdown for a ticket or a pull request — the verdict and its reasons first,
// then one section per question with a table. User strings are escaped so a drill named "a|b" cannot break
// a table.
import Foundation

struct MarkdownReport {
    let report: ComplianceReport

    func render() -> String {
        [header(), schedule(), coverage(), drills(), retention(), encryption(), immutability()]
            .joined(separator: "\n")
    }

    private func header() -> String {
        var lines = [
            "# Compliance report: \(cell(report.cluster))", "",
            "**Verdict: \(ReportSummaries.verdict(report))**", "",
        ]
        lines += ["| Objective | Target | Verdict | Evidence | Worst stretch / last drill |", "|---|---|---|---|---|"]
        lines += report.verdict.objectives.map {
            "| \(ReportSummaries.objectiveName($0.objective)) | \(cell($0.target)) | \(ReportSummaries.status($0.status)) | "
                + "\(cell($0.evidence)) | \(cell($0.detail)) |"
        }
        lines.append("")
        lines += report.verdict.reasons.map { "- \(cell($0))" }
        if !report.verdict.reasons.isEmpty { lines.append("") }
        let covered =
            report.coveredFrom > report.since
            ? "from \(ReportText.time(report.coveredFrom)) (before: not covered, the repository did not exist)"
            : "the whole period"
        lines += [
            "| Fact | Value |", "|---|---|",
            "| Period | \(ReportSummaries.period(report)) |",
            "| Covered | \(covered) |",
            "| Repository | \(cell(report.repository)) |",
            "| Policy | \(cell(report.policy ?? "none")) |",
            "| Generated | \(ReportText.time(report.generatedAt)) by lifeboat \(cell(report.toolVersion)) |", "",
        ]
        return lines.joined(separator: "\n")
    }

    private func schedule() -> String {
        guard !report.schedule.isEmpty else {
            return section("Backup schedule", "No backup type is scheduled daily by the policy.\n")
        }
        var body = table(
            ["Type", "Days with backup", "Missed days", "Completed runs", "Failed runs", "Success rate", "Result"],
            report.schedule.map { s in
                [
                    s.kind.rawValue, "\(s.daysWithBackup) of \(s.expectedDays)", "\(s.missedDays.count)",
                    ReportSummaries.completed(s),
                    "\(s.failedRuns)", ReportSummaries.successRate(s), ReportSummaries.met(s.met),
                ]
            })
        for s in report.schedule where !s.missedDays.isEmpty {
            body += "\nMissed days (\(s.kind.rawValue)): \(s.missedDays.joined(separator: ", "))\n"
        }
        return section("Backup schedule", body)
    }

    private func coverage() -> String {
        let c = report.coverage
        var body = table(
            ["Fact", "Value"],
            [
                ["Recovery points", "\(c.points)"],
                ["Worst exposure", ReportSummaries.against(c.worstExposureSeconds, report.objectives.rpoSeconds)],
                ["Worst exposure from", c.worstExposureFrom.map(ReportText.time) ?? "—"],
                ["Worst exposure to", c.worstExposureTo.map(ReportText.time) ?? "—"],
                ["Result", ReportSummaries.met(c.met)],
            ])
        if !c.exposuresOverObjective.isEmpty {
            body +=
                "\nExposures over the objective:\n\n"
                + table(
                    ["From", "To", "Length"],
                    c.exposuresOverObjective.map {
                        [ReportText.time($0.from), ReportText.time($0.to), ReportText.duration($0.seconds)]
                    })
        }
        if !c.walGaps.isEmpty {
            body +=
                "\nWAL gaps:\n\n"
                + table(
                    ["Timeline", "Segments", "From", "To"],
                    c.walGaps.map {
                        [
                            "\($0.timeline)", "\(cell($0.first))–\(cell($0.last)) (\($0.segments))",
                            ReportText.time($0.from), ReportText.time($0.to),
                        ]
                    })
        }
        return section("Recovery point coverage", body)
    }

    private func drills() -> String {
        let d = report.drills
        var body =
            "Passed \(d.passed), failed \(d.failed); last passed \(d.lastPassed.map(ReportText.time) ?? "never"); "
            + "cadence \(cadence()); result \(ReportSummaries.met(d.met)).\n\n"
        if !d.runs.isEmpty {
            body += table(
                ["Run", "Drill", "At", "Backup", "RTO", "RPO", "Verdict", "Reasons"],
                d.runs.map { run in
                    [
                        cell(run.id), cell(run.drill), ReportText.time(run.at), cell(run.backup ?? "—"),
                        ReportSummaries.against(run.rtoSeconds, run.rtoObjectiveSeconds),
                        ReportSummaries.against(run.rpoSeconds, run.rpoObjectiveSeconds), run.verdict.rawValue,
                        cell(run.reasons.joined(separator: "; ")),
                    ]
                })
        }
        return section("Drills", body)
    }

    private func retention() -> String {
        let r = report.retention
        guard !r.required.isEmpty else { return section("Retention", ReportSummaries.noRequiredSlot(report) + "\n") }
        let body =
            "\(r.required.count - r.missing) of \(r.required.count) required slots hold a backup; "
            + "result \(ReportSummaries.met(r.met)).\n\n"
            + table(
                ["Rule", "Type", "Bucket", "Backup"],
                r.required.map {
                    [$0.rule, $0.kind.rawValue, $0.bucket, $0.backup.map(cell) ?? "**missing**"]
                })
        return section("Retention", body)
    }

    private func encryption() -> String {
        let e = report.encryption
        return section(
            "Encryption",
            table(
                ["Fact", "Value"],
                [
                    ["Backups", "\(e.backups)"], ["Objects sealed", "\(e.sealedObjects) of \(e.objects)"],
                    ["Algorithms", cell(e.algorithms.joined(separator: ", "))],
                    ["Key ids", cell(e.keyIds.joined(separator: ", "))],
                    ["Result", ReportSummaries.met(e.met)],
                ]))
    }

    private func immutability() -> String {
        let i = report.immutability
        return section(
            "Immutability",
            table(
                ["Fact", "Value"],
                [
                    ["Required by policy", i.required ? "yes" + (i.mode.map { " (\($0))" } ?? "") : "no"],
                    ["Object Lock available", i.available ? "yes" : "no"],
                    ["Locked backups", "\(i.lockedBackups) of \(i.backups)"], ["Result", ReportSummaries.met(i.met)],
                ]))
    }

    private func cadence() -> String {
        report.verdict.objectives.first { $0.objective == "drill_cadence" }.map { ReportSummaries.status($0.status) }
            ?? ReportSummaries.cadence(report.drills)
    }

    // MARK: - Markdown

    private func section(_ title: String, _ body: String) -> String {
        "## \(title)\n\n" + body
    }

    private func table(_ header: [String], _ rows: [[String]]) -> String {
        Self.table(header, rows)
    }

    private func cell(_ text: String) -> String {
        Self.cell(text)
    }

    /// A table of already escaped cells (the fleet report's summary tables use it too).
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let lines =
            [
                "| " + header.joined(separator: " | ") + " |",
                "|" + header.map { _ in "---" }.joined(separator: "|") + "|",
            ]
            + rows.map { "| " + $0.joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Table cells and list items are one line; a pipe would end the cell, and HTML inside Markdown renders.
    static func cell(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "|": escaped += "\\|"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\n", "\r": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
