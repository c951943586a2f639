// ReportRendererTests: the Markdown puts the verdict and the missed days where a ticket reader sees them; the
// HTML is one self-contained, balanced, escaped file with the charts a browser test looks for.
// LIFEBOAT_WRITE_REPORT_SAMPLE=<path> also writes the HTML of the constructed history there, to look at.
import Drills
import Foundation
import Reports
import XCTest

final class ReportRendererTests: XCTestCase {
    private func report(_ history: ReportHistory = ReportHistory()) -> ComplianceReport {
        ReportBuilder.build(history.input(), toolVersion: "0.9.0")
    }

    func testMarkdownLeadsWithTheVerdictAndListsMissedDays() {
        let markdown = ReportRenderer.markdown(report())
        let verdict = try? XCTUnwrap(markdown.range(of: "**Verdict: NOT COMPLIANT**"))
        let schedule = markdown.range(of: "## Backup schedule")
        XCTAssertNotNil(verdict)
        XCTAssertNotNil(schedule)
        if let verdict, let schedule { XCTAssertLessThan(verdict.lowerBound, schedule.lowerBound) }
        XCTAssertTrue(markdown.contains("Missed days (snapshot): 2026-03-04, 2026-03-17, 2026-04-27"))
        XCTAssertTrue(
            markdown.contains("- 3 days without a snapshot backup (of 61): 2026-03-04, 2026-03-17, 2026-04-27"))
        XCTAssertTrue(markdown.contains("| daily | snapshot | 2026-04-27 | **missing** |"))
        XCTAssertTrue(ReportRenderer.markdown(report(.clean)).contains("**Verdict: COMPLIANT**"))
    }

    func testHTMLIsSelfContainedWithChartIds() throws {
        let html = ReportRenderer.html(report())
        for id in ["chart-calendar", "chart-exposure", "chart-drill-rto", "chart-drill-rpo", "verdict-banner"] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), id)
        }
        XCTAssertFalse(html.lowercased().contains("<script"))
        XCTAssertFalse(html.contains("http://"))
        XCTAssertFalse(html.contains("https://"))
        XCTAssertFalse(html.contains("<link"))
        XCTAssertTrue(html.contains("@media print"))
        XCTAssertTrue(html.contains("NOT COMPLIANT"))
        XCTAssertTrue(html.contains("2026-03-04: 0 backups, 1 failed run — missed"))
        try assertBalanced(html)
        let svgs = html.components(separatedBy: "<svg ").dropFirst()
        XCTAssertEqual(svgs.count, 4)
        for svg in svgs { try assertBalanced("<svg " + svg.components(separatedBy: "</svg>")[0] + "</svg>") }
        if let path = ProcessInfo.processInfo.environment["LIFEBOAT_WRITE_REPORT_SAMPLE"], !path.isEmpty {
            try html.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    func testUserStringsAreEscaped() throws {
        var history = ReportHistory()
        let nasty = "<b>&\"x\""
        history.drills.append(
            ReportHistory.drill(
                nasty, "20260401T030000Z-nasty0", ReportHistory.at("2026-04-01T03:00:00Z"), .failed,
                reasons: ["<script>alert(1)</script>"]))
        let html = ReportRenderer.html(report(history))
        XCTAssertFalse(html.contains(nasty))
        XCTAssertFalse(html.contains("<script>"))
        XCTAssertTrue(html.contains("&lt;b&gt;&amp;&quot;x&quot;"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        try assertBalanced(html)
        let markdown = ReportRenderer.markdown(report(history))
        XCTAssertFalse(markdown.contains("<b>"))
    }

    func testEmptyReportStillRendersEveryChart() throws {
        var history = ReportHistory.clean
        history.policy = nil
        history.drills = []
        let html = ReportRenderer.html(report(history))
        for id in ["chart-calendar", "chart-exposure", "chart-drill-rto", "chart-drill-rpo"] {
            XCTAssertTrue(html.contains("id=\"\(id)\""), id)
        }
        try assertBalanced(html)
    }
}
