// HTMLReport: the report as ONE self-contained HTML file for auditors — inline CSS and inline SVG, no script,
// no external resource, so it can be archived, mailed and printed as it is. The first screen answers what an
// auditor asks — the verdict, the period and what of it the repository covered, one row per objective with its
// evidence and the worst stretch or last drill — then the reasons, then one <section> per question with the
// detail and charts (each starts a new printed page). All text from the report is escaped.
import Foundation

struct HTMLReport {
    let report: ComplianceReport

    func render() -> String {
        let title = HTML.escape("Compliance report: \(report.cluster) \(ReportSummaries.period(report))")
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>\(title)</title>\n"
            + "<style>\n\(HTMLStyle.css)\n</style>\n</head>\n<body>\n" + body() + "</body>\n</html>\n"
    }

    /// The sections without the document around them: the fleet report places one per cluster in its page.
    func body() -> String {
        [banner(), schedule(), coverage(), drills(), retention(), encryption(), immutability()].joined()
    }

    private func banner() -> String {
        let state = HTML.bannerClass(report.verdict.status)
        let reasons = report.verdict.reasons.map { "<li>\(HTML.escape($0))</li>" }.joined()
        let covered =
            report.coveredFrom > report.since
            ? "\(ReportText.time(report.coveredFrom)) – \(ReportText.time(report.until)) (before: not covered, the repository did not exist)"
            : "the whole period"
        return "<section class=\"first\" id=\"verdict\">\n<h1>Compliance report: \(HTML.escape(report.cluster))</h1>\n"
            + "<div id=\"verdict-banner\" class=\"banner \(state)\"><strong>\(ReportSummaries.verdict(report))</strong></div>\n"
            + HTML.facts(
                [
                    ("Period", ReportSummaries.period(report)), ("Covered", covered),
                    ("Repository", report.repository), ("Policy", report.policy ?? "none"),
                    ("Generated", "\(ReportText.time(report.generatedAt)) by lifeboat \(report.toolVersion)"),
                ], id: "report-facts")
            + objectiveTable()
            + (reasons.isEmpty
                ? "" : "<h2 id=\"reasons\">Findings and notes</h2><ul class=\"reasons\">\(reasons)</ul>\n")
            + "</section>\n"
    }

    /// One row per objective: the questions an auditor asks, answered before any detail.
    private func objectiveTable() -> String {
        let rows = report.verdict.objectives
        return "<h2 id=\"objectives\">Objectives</h2>"
            + HTML.table(
                ["Objective", "Target", "Verdict", "Evidence", "Worst stretch / last drill"],
                rows.map {
                    [
                        ReportSummaries.objectiveName($0.objective), $0.target, ReportSummaries.status($0.status),
                        $0.evidence, $0.detail,
                    ]
                },
                id: "objective-verdicts"
            ) { row, column in column == 2 && rows[row].status == .notMet }
    }

    private func schedule() -> String {
        let rows = report.schedule.map { s in
            [
                s.kind.rawValue, "\(s.daysWithBackup) of \(s.expectedDays)", s.missedDays.joined(separator: ", "),
                ReportSummaries.completed(s), "\(s.failedRuns)", ReportSummaries.successRate(s),
                ReportSummaries.met(s.met),
            ]
        }
        let table =
            rows.isEmpty
            ? ""
            : HTML.table(
                ["Type", "Days with backup", "Missed days", "Completed", "Failed", "Success rate", "Result"], rows
            ) {
                row, column in column == 6 && !report.schedule[row].met
            }
        return section("schedule", "Backup schedule", CalendarChart(schedules: report.schedule).render() + table)
    }

    private func coverage() -> String {
        let c = report.coverage
        var body =
            ExposureChart(report: report).render()
            + HTML.facts(
                [
                    ("Recovery points", "\(c.points)"),
                    ("Worst exposure", ReportSummaries.against(c.worstExposureSeconds, report.objectives.rpoSeconds)),
                    ("From", c.worstExposureFrom.map(ReportText.time) ?? "—"),
                    ("To", c.worstExposureTo.map(ReportText.time) ?? "—"),
                    ("Result", ReportSummaries.met(c.met)),
                ], bad: c.met ? [] : ["Result"])
        if !c.exposuresOverObjective.isEmpty {
            body +=
                "<h3>Stretches over the objective</h3>"
                + HTML.table(
                    ["From", "To", "Length"],
                    c.exposuresOverObjective.map {
                        [ReportText.time($0.from), ReportText.time($0.to), ReportText.duration($0.seconds)]
                    })
        }
        if !c.walGaps.isEmpty {
            body +=
                "<h3>WAL gaps</h3>"
                + HTML.table(
                    ["Timeline", "First", "Last", "Segments", "From", "To"],
                    c.walGaps.map {
                        [
                            "\($0.timeline)", $0.first, $0.last, "\($0.segments)", ReportText.time($0.from),
                            ReportText.time($0.to),
                        ]
                    })
        }
        return section("coverage", "Recovery point coverage (RPO)", body)
    }

    private func drills() -> String {
        let d = report.drills
        var body = HTML.facts(
            [
                ("Runs", "\(d.runs.count): \(d.passed) passed, \(d.failed) failed"),
                ("Last passed", d.lastPassed.map(ReportText.time) ?? "never"),
                ("Cadence", cadence()), ("Result", ReportSummaries.met(d.met)),
            ], bad: d.met ? [] : ["Result"])
        body +=
            "<h3>RTO per drill</h3>" + DrillChart(report: report, metric: .rto).render()
            + "<h3>RPO per drill</h3>" + DrillChart(report: report, metric: .rpo).render()
        if !d.runs.isEmpty {
            body += HTML.table(
                ["Run", "Drill", "At", "Backup", "RTO", "RPO", "RPO method", "Verdict", "Reasons"],
                d.runs.map { run in
                    [
                        run.id, run.drill, ReportText.time(run.at), run.backup ?? "—",
                        ReportSummaries.against(run.rtoSeconds, run.rtoObjectiveSeconds),
                        ReportSummaries.against(run.rpoSeconds, run.rpoObjectiveSeconds), run.rpoMethod ?? "—",
                        run.verdict.rawValue, run.reasons.joined(separator: "; "),
                    ]
                }, id: "drill-runs"
            ) { row, column in column == 7 && d.runs[row].verdict != .passed }
        }
        return section("drills", "Drills (RTO)", body)
    }

    private func retention() -> String {
        let r = report.retention
        guard !r.required.isEmpty else {
            return section("retention", "Retention", "<p>\(ReportSummaries.noRequiredSlot(report))</p>\n")
        }
        let body =
            "<p>\(r.required.count - r.missing) of \(r.required.count) required slots hold a backup.</p>\n"
            + HTML.table(
                ["Rule", "Type", "Bucket", "Backup"],
                r.required.map {
                    [$0.rule, $0.kind.rawValue, $0.bucket, $0.backup ?? "missing"]
                }
            ) { row, column in column == 3 && r.required[row].backup == nil }
        return section("retention", "Retention", body)
    }

    private func encryption() -> String {
        let e = report.encryption
        return section(
            "encryption", "Encryption",
            HTML.facts(
                [
                    ("Backups", "\(e.backups)"), ("Objects sealed", "\(e.sealedObjects) of \(e.objects)"),
                    ("Algorithms", e.algorithms.joined(separator: ", ")), ("Key ids", e.keyIds.joined(separator: ", ")),
                    ("Result", ReportSummaries.met(e.met)),
                ], bad: e.met ? [] : ["Result"]))
    }

    private func immutability() -> String {
        let i = report.immutability
        return section(
            "immutability", "Immutability",
            HTML.facts(
                [
                    ("Required by policy", i.required ? "yes" + (i.mode.map { " (\($0))" } ?? "") : "no"),
                    ("Object Lock available", i.available ? "yes" : "no"),
                    ("Locked backups", "\(i.lockedBackups) of \(i.backups)"), ("Result", ReportSummaries.met(i.met)),
                ], bad: i.met ? [] : ["Result"]))
    }

    private func cadence() -> String {
        report.verdict.objectives.first { $0.objective == "drill_cadence" }.map { ReportSummaries.status($0.status) }
            ?? ReportSummaries.cadence(report.drills)
    }

    /// The objectives share the verdict's first page; every later section starts a printed page.
    private func section(_ id: String, _ title: String, _ body: String, first: Bool = false) -> String {
        "<section id=\"section-\(id)\"\(first ? " class=\"first\"" : "")>\n<h2>\(HTML.escape(title))</h2>\n\(body)</section>\n"
    }
}
