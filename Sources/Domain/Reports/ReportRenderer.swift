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
}
