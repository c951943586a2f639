// FleetHTMLReport: the fleet report as ONE self-contained HTML file, like HTMLReport: the overall verdict, the
// summary tables and the facts on the first page, then each cluster's report (HTMLReport's sections) in an
// <article> of its own that starts a printed page. A cluster's element ids are prefixed with its position
// ("cluster-2-chart-exposure"), so ids stay unique in the page; the stylesheet rules that HTMLReport aims at
// its ids are repeated here for the prefixed ones.
import Foundation

struct FleetHTMLReport {
    let report: FleetReport

    static let css = """
        #fleet-summary, #fleet-objectives, [id$="-objective-verdicts"], [id$="-drill-runs"] { width: 100%; }
        #fleet-summary, #fleet-objectives, [id$="-drill-runs"] { font-size: .9em; }
        #fleet-summary td:nth-child(1), #fleet-objectives td:nth-child(1) { overflow-wrap: anywhere; min-width: 7em; }
        [id$="-drill-runs"] td:nth-child(1), [id$="-drill-runs"] td:nth-child(4) { overflow-wrap: anywhere; }
        h2[id$="-objectives"], h2[id$="-reasons"] { margin-top: 1.2em; }
        article.cluster { border-top: 3px double #999; margin-top: 3em; }
        @media print {
          article.cluster { border-top: none; margin-top: 0; page-break-before: always; break-before: page; }
        }
        """

    func render() -> String {
        let title = HTML.escape("Fleet compliance report: \(report.repository) \(period)")
        let clusters = report.reports.enumerated().map { index, cluster in
            "<article class=\"cluster\" id=\"cluster-\(index + 1)\">\n"
                + Self.scoped(HTMLReport(report: cluster).body(), prefix: "cluster-\(index + 1)-") + "</article>\n"
        }
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>\(title)</title>\n"
            + "<style>\n\(HTMLStyle.css)\n\(Self.css)\n</style>\n</head>\n<body>\n"
            + summary() + clusters.joined() + "</body>\n</html>\n"
    }

    private var period: String { "\(ReportText.time(report.since)) – \(ReportText.time(report.until))" }

    private func summary() -> String {
        let table = FleetSummaryTable(report: report)
        let state = HTML.bannerClass(report.verdict.status)
        let reasons = report.verdict.reasons.map { "<li>\(HTML.escape($0))</li>" }.joined()
        return "<section class=\"first\" id=\"fleet\">\n"
            + "<h1>Fleet compliance report: \(HTML.escape(report.repository))</h1>\n"
            + "<div id=\"fleet-verdict-banner\" class=\"banner \(state)\"><strong>"
            + "\(ReportSummaries.verdict(report.verdict.status))</strong> \(HTML.escape(table.counts))</div>\n"
            + (reasons.isEmpty ? "" : "<ul class=\"reasons\">\(reasons)</ul>\n")
            + "<h2 id=\"fleet-clusters\">Clusters</h2>"
            + HTML.table(FleetSummaryTable.header, table.rows, id: "fleet-summary", bad: table.isBad)
            + "<h2 id=\"fleet-objective-table\">Objectives per cluster</h2>"
            + HTML.table(
                FleetSummaryTable.objectiveHeader, table.objectiveRows, id: "fleet-objectives",
                bad: table.isBadObjective)
            + HTML.facts(
                [
                    ("Period", period), ("Repository", report.repository),
                    ("Policy", (report.policy ?? "none") + " (the configured policy, applied to every cluster)"),
                    ("Generated", "\(ReportText.time(report.generatedAt)) by lifeboat \(report.toolVersion)"),
                ],
                id: "fleet-facts")
            + "</section>\n"
    }

    /// Prefixes every id and every reference to one. Only markup is touched: text from the report is escaped,
    /// so a quote inside it is `&quot;` and can never look like an attribute.
    static func scoped(_ html: String, prefix: String) -> String {
        html.replacingOccurrences(of: " id=\"", with: " id=\"\(prefix)")
            .replacingOccurrences(of: " aria-labelledby=\"", with: " aria-labelledby=\"\(prefix)")
    }
}
