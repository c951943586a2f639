// ReportLayoutTests+Fleet: the fleet report of three clusters (FleetHistory) as an auditor sees it, checked in
// headless Chromium with the same machinery as the single report: nothing clipped, overlapping or scrolling
// sideways at 1280 and 800 px, and a printed PDF with a page per cluster section.
import Foundation
import XCTest

extension ReportLayoutTests {
    func testAFleetReportLaysOutCleanly() throws {
        let workspace = try FleetHistory.workspace("report-fleet")
        let html = workspace.directory + "/fleet.html"
        let written = try workspace.lifeboat(
            ["report", "--all-clusters", "--format", "html", "--output", html]
                + FleetHistory.period)
        XCTAssertEqual(written.status, 3, written.output)
        try assertLaidOutCleanly(html, name: "fleet")
    }
}
