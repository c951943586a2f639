// FleetReportTests: the fleet report of three clusters — one compliant, one not (missed days, WAL gaps, failed
// drills), one too young to judge — built by FleetReportBuilder: a summary row per cluster read off its own
// report, the overall verdict as the worst cluster's, and Markdown and HTML that lead with the summary and
// then carry each cluster's report (the HTML one self-contained file with unique ids).
import Catalog
import Drills
import Foundation
import Reports
import XCTest

final class FleetReportTests: XCTestCase {
    func inputs() -> [ReportInput] {
        var clean = ReportHistory.clean.input()
        clean.cluster = "billing"
        var flawed = ReportHistory().input()
        flawed.cluster = "orders"
        var young = ReportHistory.clean.input()
        young.cluster = "analytics"
        young.backups = []
        young.failedRuns = []
        young.recoverablePoints = [ReportHistory.until.addingTimeInterval(-300)]
        young.walGaps = []
        young.drills = []
        young.repositoryCreated = ReportHistory.until.addingTimeInterval(-600)
        return [flawed, clean, young]
    }

    func fleet(_ inputs: [ReportInput]? = nil) -> FleetReport {
        FleetReportBuilder.build(
            inputs ?? self.inputs(), repository: "s3://backups/lifeboat",
            policy: ReportHistory.productionPolicy, since: ReportHistory.since,
            until: ReportHistory.until, now: ReportHistory.now, toolVersion: "0.9.0")
    }

    func testOneRowPerClusterReadOffItsOwnReport() throws {
        let report = fleet()
        XCTAssertEqual(report.clusters.map(\.cluster), ["analytics", "billing", "orders"])
        XCTAssertEqual(report.reports.map(\.cluster), ["analytics", "billing", "orders"])
        XCTAssertEqual(report.clusters.map(\.verdict), [.insufficientHistory, .compliant, .notCompliant])
        XCTAssertEqual(report.policy, "production")
        for (row, single) in zip(report.clusters, report.reports) {
            XCTAssertEqual(row.verdict, single.verdict.status)
            XCTAssertEqual(row.objectives.map(\.objective), single.verdict.objectives.map(\.objective))
            XCTAssertEqual(row.worstExposureSeconds, single.coverage.worstExposureSeconds)
            XCTAssertEqual(row.rpoObjectiveSeconds, 15 * 60)
        }
        let orders = try XCTUnwrap(report.clusters.last)
        XCTAssertEqual(orders.status(of: "rpo"), .notMet)
        XCTAssertEqual(orders.lastDrill?.id, "20260420T030000Z-d30000")
        XCTAssertEqual(orders.lastDrill?.verdict, .error)
        XCTAssertEqual(orders.lastBackups.map(\.kind), [.logical, .snapshot])
        XCTAssertLessThan(try XCTUnwrap(orders.newestRecoverablePoint), ReportHistory.until)
        let analytics = try XCTUnwrap(report.clusters.first)
        XCTAssertNil(analytics.lastDrill)
        XCTAssertEqual(analytics.lastBackups, [])
        XCTAssertEqual(analytics.newestRecoverablePoint, ReportHistory.until.addingTimeInterval(-300))
    }

    func testTheWorstClusterDecidesTheVerdict() {
        let report = fleet()
        XCTAssertEqual(report.verdict.status, .notCompliant)
        XCTAssertFalse(report.verdict.compliant)
        XCTAssertTrue(report.verdict.reasons[0].hasPrefix("cluster 'orders' is not compliant: "), "\(report.verdict)")
        XCTAssertTrue(report.verdict.reasons.contains { $0.hasPrefix("cluster 'analytics' has insufficient history") })
        let inputs = self.inputs()
        XCTAssertEqual(fleet([inputs[1], inputs[2]]).verdict.status, .insufficientHistory)
        XCTAssertEqual(fleet([inputs[1]]).verdict.status, .compliant)
        XCTAssertEqual(fleet([inputs[1]]).verdict.reasons, [])
        let empty = fleet([])
        XCTAssertEqual(empty.verdict.status, .insufficientHistory, "a repository without clusters has nothing to judge")
        XCTAssertEqual(empty.clusters.count, 0)
    }

    func testJSONCarriesTheSummaryAndEveryReport() throws {
        let data = try CatalogCoding.encoder().encode(fleet())
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(json["format_version"] as? Int, 1)
        XCTAssertEqual((json["verdict"] as? [String: Any])?["status"] as? String, "not_compliant")
        let clusters = try XCTUnwrap(json["clusters"] as? [[String: Any]])
        XCTAssertEqual(
            clusters.map { $0["verdict"] as? String },
            ["insufficient_history", "compliant", "not_compliant"])
        XCTAssertNotNil(clusters[2]["newest_recoverable_point"])
        XCTAssertEqual((clusters[2]["last_drill"] as? [String: Any])?["verdict"] as? String, "error")
        XCTAssertEqual((json["reports"] as? [[String: Any]])?.count, 3)
        XCTAssertEqual(try CatalogCoding.decoder().decode(FleetReport.self, from: data), fleet())
    }

    func testMarkdownLeadsWithTheSummaryThenEachCluster() throws {
        let markdown = ReportRenderer.markdown(fleet())
        XCTAssertTrue(markdown.hasPrefix("# Fleet compliance report: s3://backups/lifeboat\n"), markdown)
        XCTAssertTrue(
            markdown.contains(
                "**Verdict: NOT COMPLIANT** (3 clusters: 1 compliant, 1 not compliant, "
                    + "1 insufficient history)"), markdown)
        XCTAssertTrue(markdown.contains("| orders | NOT COMPLIANT |"), markdown)
        XCTAssertTrue(markdown.contains("| billing | COMPLIANT |"), markdown)
        XCTAssertTrue(markdown.contains("| analytics | INSUFFICIENT HISTORY |"), markdown)
        XCTAssertTrue(markdown.contains("semiannual-full, 2026-04-20 03:00 UTC: error"), markdown)
        XCTAssertTrue(markdown.contains("production (the configured policy, applied to every cluster)"))
        let summary = try XCTUnwrap(markdown.range(of: "| Cluster | RPO |"))
        let sections = ["analytics", "billing", "orders"]
            .map { "## Compliance report: " + $0 }
            .map { markdown.range(of: $0)?.lowerBound }
        XCTAssertFalse(sections.contains(nil), markdown)
        XCTAssertEqual(sections.compactMap { $0 }, sections.compactMap { $0 }.sorted())
        XCTAssertLessThan(summary.lowerBound, try XCTUnwrap(sections[0]))
        XCTAssertTrue(markdown.contains("### Backup schedule"), "each cluster's sections one level down")
        XCTAssertFalse(markdown.contains("\n# Compliance report"), "only the fleet has a top-level title")
    }

    func testHTMLIsOneSelfContainedFileWithUniqueIds() throws {
        let html = ReportRenderer.html(fleet())
        XCTAssertFalse(html.lowercased().contains("<script"))
        XCTAssertFalse(html.contains("http://") || html.contains("https://") || html.contains("<link"))
        XCTAssertTrue(html.contains("id=\"fleet-verdict-banner\""))
        XCTAssertTrue(html.contains("id=\"fleet-summary\"") && html.contains("id=\"fleet-objectives\""))
        for cluster in 1...3 {
            for id in ["verdict-banner", "chart-exposure", "chart-drill-rto", "objective-verdicts"] {
                XCTAssertTrue(html.contains("id=\"cluster-\(cluster)-\(id)\""), "cluster \(cluster) \(id)")
            }
        }
        let ids = try captures(" id=\"([^\"]+)\"", in: html)
        let repeated = ids.filter { id in ids.filter { $0 == id }.count > 1 }
        XCTAssertEqual(ids.count, Set(ids).count, "every id once: \(repeated)")
        let labels = try captures("aria-labelledby=\"([^\"]+)\"", in: html)
        XCTAssertFalse(labels.isEmpty)
        for label in labels { XCTAssertTrue(ids.contains(label), "\(label) names an element of the page") }
        XCTAssertTrue(html.contains("<td class=\"bad\">NOT COMPLIANT</td>"))
        XCTAssertEqual(html.components(separatedBy: "<article class=\"cluster\"").count - 1, 3)
        try assertBalanced(html)
        if let path = ProcessInfo.processInfo.environment["LIFEBOAT_WRITE_FLEET_REPORT_SAMPLE"], !path.isEmpty {
            try html.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }

    /// The first group of every match of `pattern`.
    private func captures(_ pattern: String, in text: String) throws -> [String] {
        try NSRegularExpression(pattern: pattern).matches(in: text, range: NSRange(text.startIndex..., in: text))
            .compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }
    }

    func testClusterNamesAreEscaped() throws {
        var inputs = self.inputs()
        inputs[0].cluster = "<b>x|y</b>"
        let report = fleet(inputs)
        let html = ReportRenderer.html(report)
        XCTAssertFalse(html.contains("<b>x"))
        XCTAssertTrue(html.contains("&lt;b&gt;x|y&lt;/b&gt;"))
        try assertBalanced(html)
        let markdown = ReportRenderer.markdown(report)
        XCTAssertTrue(markdown.contains("&lt;b&gt;x\\|y&lt;/b&gt;"), markdown)
    }
}
