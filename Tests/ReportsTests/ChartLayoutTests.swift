import XCTest

// ChartLayoutTests: the arithmetic that keeps chart text readable — round axis maxima that print short, tick
// labels that never share a height, x labels kept inside the chart and apart. Chromium checks the rendered
// result (IntegrationTests/ReportLayoutTests); these pin the rules.
@testable import Reports

final class ChartLayoutTests: XCTestCase {
    func testAxisMaximaAreRoundDurations() {
        XCTAssertEqual(ReportText.duration(ChartLayout.niceDuration(30 * 86_400 - 2)), "30d")
        XCTAssertEqual(ReportText.duration(ChartLayout.niceDuration(5400)), "2h")
        XCTAssertEqual(ReportText.duration(ChartLayout.niceDuration(59 * 60 + 58)), "1h")
        XCTAssertEqual(ChartLayout.niceDuration(400 * 86_400), 730 * 86_400)
    }

    func testTickLabelsKeepALineApartByPriority() {
        let kept = ChartLayout.placeTicks([(y: 155, text: "1h"), (y: 160, text: "0"), (y: 12, text: "30d")])
        XCTAssertEqual(kept.map(\.text), ["1h", "30d"], "the objective wins over 0 when they would overlap")
        XCTAssertEqual(ChartLayout.leftMargin(["29d23h59m58s"]), ChartLayout.textWidth("29d23h59m58s") + 8)
    }

    func testXLabelsStayInsideAndApart() {
        let labels = (0...6).map { (x: 40 + Double($0) * 120, text: "2026-12-0\($0)") }
        let kept = ChartLayout.spread(labels, minX: 2, maxX: 760)
        XCTAssertEqual(kept.count, 7)
        XCTAssertLessThanOrEqual(
            kept.last.map { $0.x + ChartLayout.textWidth($0.text) } ?? 0, 760, "the last date is not cut")
        let crowded = ChartLayout.spreadIndices(
            (0..<20).map { (x: 60 + Double($0) * 30, text: "2026-03-12") }, minX: 2, maxX: 760)
        for (a, b) in zip(crowded, crowded.dropFirst()) {
            XCTAssertGreaterThanOrEqual(b.left, a.left + ChartLayout.textWidth("2026-03-12"))
        }
    }

    func testAYearOfExposureLabelsTheAxisShortly() {
        var history = ReportHistory()
        history.walGaps.append((ReportHistory.at("2026-04-01T01:30:00Z"), ReportHistory.at("2026-04-02T01:29:58Z")))
        let html = ReportRenderer.html(ReportBuilder.build(history.input(), toolVersion: "0.9.0"))
        let axis = html.components(separatedBy: "chart-exposure-svg")[1].components(separatedBy: "</svg>")[0]
        // Daily backups cap the worst stretch at 23h59m58s; the axis reads "1d", not the odd length.
        XCTAssertTrue(axis.contains(">1d</text>"), axis)
        XCTAssertFalse(axis.contains("58s</text>"), axis)
    }
}
