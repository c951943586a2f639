// FleetMarkdownReport: the fleet report as Markdown — the overall verdict and its reasons, the summary tables,
// the facts, then each cluster's own report (MarkdownReport) one heading level down, so the whole is one
// document with one title.
import Foundation

struct FleetMarkdownReport {
    let report: FleetReport

    func render() -> String {
        let summary = FleetSummaryTable(report: report)
        var lines = [
            "# Fleet compliance report: \(MarkdownReport.cell(report.repository))", "",
            "**Verdict: \(ReportSummaries.verdict(report.verdict.status))** (\(summary.counts))", "",
        ]
        lines += report.verdict.reasons.map { "- \(MarkdownReport.cell($0))" }
        if !report.verdict.reasons.isEmpty { lines.append("") }
        lines.append(MarkdownReport.table(FleetSummaryTable.header, escaped(summary.rows)))
        lines.append(MarkdownReport.table(FleetSummaryTable.objectiveHeader, escaped(summary.objectiveRows)))
        lines.append(
            MarkdownReport.table(
                ["Fact", "Value"],
                escaped([
                    ["Period", "\(ReportText.time(report.since)) – \(ReportText.time(report.until))"],
                    ["Repository", report.repository],
                    ["Policy", (report.policy ?? "none") + " (the configured policy, applied to every cluster)"],
                    ["Generated", "\(ReportText.time(report.generatedAt)) by lifeboat \(report.toolVersion)"],
                ])))
        let sections = report.reports.map { Self.demoted(ReportRenderer.markdown($0)) }
        return ([lines.joined(separator: "\n")] + sections).joined(separator: "\n")
    }

    private func escaped(_ rows: [[String]]) -> [[String]] {
        rows.map { $0.map(MarkdownReport.cell) }
    }

    /// Every heading one level deeper: a cluster's "# Compliance report" becomes a "##" under the fleet's title.
    /// Only headings start with "#": table rows start with "|" and list items with "-", and cells are escaped.
    static func demoted(_ markdown: String) -> String {
        markdown.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("#") ? "#" + $0 : String($0) }.joined(separator: "\n")
    }
}
