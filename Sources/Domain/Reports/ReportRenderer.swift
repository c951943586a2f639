// ReportRenderer: a ComplianceReport for people. Both renderings show the same numbers as the JSON; neither
// computes anything the builder did not decide, so the three formats cannot disagree on a verdict.
import Foundation

/// Renders a ComplianceReport for people: Markdown for tickets, one self-contained HTML file for auditors.
public enum ReportRenderer {
    public static func markdown(_ report: ComplianceReport) -> String {
        MarkdownReport(report: report).render()
    }

    public static func html(_ report: ComplianceReport) -> String {
        HTMLReport(report: report).render()
    }

    /// Every cluster of a repository: the summary and overall verdict first, then each cluster's report.
    public static func markdown(_ report: FleetReport) -> String {
        FleetMarkdownReport(report: report).render()
    }

    /// The fleet report as one self-contained HTML file.
    public static func html(_ report: FleetReport) -> String {
        FleetHTMLReport(report: report).render()
    }
}
