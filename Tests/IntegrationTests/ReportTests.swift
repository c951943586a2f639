// lifeboat report on a repository with a constructed history (a month of nightly snapshots with missed days
// and failed runs, hourly WAL with a six-hour gap, a passed and a failed drill): verdicts and numbers in JSON,
// Markdown and HTML; the HTML opened in headless Chromium renders with its charts, no console errors, and a
// screenshot.
import Catalog
import Foundation
import TestSupport
import XCTest

final class ReportTests: XCTestCase {
    static let policy = """
        name: audit
        timezone: UTC
        objectives: { rpo: 2h, rto: 60m, drill_every: 182d }
        keep:
          snapshot: { daily: 7, monthly: 12 }
        """

    func date(_ text: String) -> Date { CatalogCoding.parseTimestamp(text)! }

    /// September 2026: snapshots at 01:00 except on the 10th, 11th and 20th (failed runs on the 10th and
    /// 20th), WAL every hour with six segments missing on the 15th, drills on August 20th and September 5th
    /// (passed) and the 25th (failed).
    func constructHistory(_ workspace: Workspace) throws {
        let history = try RepositoryHistory(configPath: workspace.configPath, repositoryRoot: workspace.repository)
        let start = date("2026-09-01T00:00:00Z")
        var snapshots: [Int: BackupID] = [:]
        for hour in 0..<(30 * 24) {
            let at = start.addingTimeInterval(Double(hour) * 3600)
            let day = hour / 24 + 1
            if day == 15 && (10..<16).contains(hour % 24) {
                if hour % 24 == 10 { history.skipSegments(6) }
                continue
            }
            try history.archiveSegment(at: at.addingTimeInterval(30))
            if hour % 24 == 1 {
                if [10, 20].contains(day) {
                    try history.leftover(at: at.addingTimeInterval(60), kind: .snapshot)
                } else if day != 11 {
                    snapshots[day] = try history.snapshot(at: at.addingTimeInterval(60))
                }
            }
        }
        // A passed drill before the period: the 182-day cadence covers its start.
        try history.drill(
            "semiannual-full", at: date("2026-08-20T12:00:00Z"), backup: try XCTUnwrap(snapshots[1]), rto: 1100,
            rpo: 240,
            verdict: .passed, reasons: ["every check passed"])
        try history.drill(
            "semiannual-full", at: date("2026-09-05T12:00:00Z"), backup: try XCTUnwrap(snapshots[5]), rto: 1200,
            rpo: 300,
            verdict: .passed, reasons: ["every check passed"])
        try history.drill(
            "semiannual-full", at: date("2026-09-25T12:00:00Z"), backup: try XCTUnwrap(snapshots[25]), rto: 4000,
            rpo: 300,
            verdict: .failed, reasons: ["RTO 1h6m40s exceeds the objective 1h"])
    }

    func testReportOnAConstructedHistory() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env, name: "report")
        try workspace.initialize()
        try workspace.writePolicy(Self.policy, name: "audit.yml")
        try constructHistory(workspace)
        let period = [
            "--since", "2026-09-01T00:00:00Z", "--until", "2026-10-01T00:00:00Z", "--now", "2026-10-01T06:00:00Z",
        ]

        let json = try workspace.lifeboat(["report", "--format", "json"] + period)
        XCTAssertEqual(json.status, 3, "non-compliant: " + json.stderr)
        let report = try workspace.json(json)
        let schedule = try XCTUnwrap(
            (report["schedule"] as? [[String: Any]])?.first { $0["kind"] as? String == "snapshot" })
        XCTAssertEqual(schedule["expected_days"] as? Int, 30)
        XCTAssertEqual(schedule["days_with_backup"] as? Int, 27)
        XCTAssertEqual(schedule["missed_days"] as? [String], ["2026-09-10", "2026-09-11", "2026-09-20"])
        XCTAssertEqual(schedule["failed_runs"] as? Int, 2)
        XCTAssertEqual(schedule["completed_runs"] as? Int, 27)
        let coverage = try XCTUnwrap(report["coverage"] as? [String: Any])
        // The last point before the gap was archived at 09:00:30 on the 15th. WAL after a gap is only usable from
        // the next snapshot on (01:01 on the 16th, whose WAL starts with the segment archived at 01:00:30).
        XCTAssertEqual(try XCTUnwrap(coverage["worst_exposure_seconds"] as? Double), 16 * 3600, accuracy: 1)
        XCTAssertEqual((coverage["wal_gaps"] as? [[String: Any]])?.first?["segments"] as? Int, 6)
        XCTAssertEqual(coverage["met"] as? Bool, false)
        let drills = try XCTUnwrap(report["drills"] as? [String: Any])
        XCTAssertEqual(drills["passed"] as? Int, 1)
        XCTAssertEqual(drills["failed"] as? Int, 1)
        XCTAssertEqual(drills["cadence_met"] as? Bool, true)
        let encryption = try XCTUnwrap(report["encryption"] as? [String: Any])
        XCTAssertEqual(encryption["met"] as? Bool, true)
        XCTAssertEqual(encryption["backups"] as? Int, 27)
        let verdict = try XCTUnwrap(report["verdict"] as? [String: Any])
        XCTAssertEqual(verdict["compliant"] as? Bool, false)
        let reasons = (verdict["reasons"] as? [String] ?? []).joined(separator: "\n")
        XCTAssertTrue(reasons.contains("2026-09-10"), reasons)
        XCTAssertTrue(reasons.contains("16h"), reasons)
        XCTAssertTrue(reasons.contains("semiannual-full"), "the failed drill is a finding: \(reasons)")

        let markdown = try workspace.lifeboat(["report"] + period)
        XCTAssertEqual(markdown.status, 3)
        XCTAssertTrue(
            markdown.stdout.contains("2026-09-20") && markdown.stdout.contains("semiannual-full"), markdown.stdout)

        let htmlPath = workspace.directory + "/report.html"
        let html = try workspace.lifeboat(["report", "--format", "html", "--output", htmlPath] + period)
        XCTAssertEqual(html.status, 3, html.output)
        try assertRendersInChromium(htmlPath, screenshot: workspace.directory + "/report.png")

        // A period without the bad days is compliant: exit 0.
        let good = try workspace.lifeboat([
            "report", "--format", "json", "--since", "2026-09-01T00:00:00Z", "--until", "2026-09-10T00:00:00Z",
            "--now", "2026-09-10T00:00:00Z",
        ])
        XCTAssertEqual(
            good.status, 0, good.stderr + ((try? workspace.json(good)["verdict"]).map { "\($0)" } ?? ""))
    }

    /// Headless Chromium (Debian's package) loads the file: the DOM after load has the charts, the console is
    /// silent, and a screenshot of a sensible size is written.
    func assertRendersInChromium(_ path: String, screenshot: String, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        let flags = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=" + NSTemporaryDirectory() + "chromium-\(UUID().uuidString.prefix(8))",
        ]
        let dom = try runChromium(flags + ["--dump-dom", "file://" + path])
        for id in ["chart-calendar", "chart-exposure", "chart-drill-rto", "chart-drill-rpo"] {
            XCTAssertTrue(
                dom.stdout.contains("id=\"\(id)\""), "chart \(id) is in the rendered DOM", file: file, line: line)
        }
        XCTAssertTrue(dom.stdout.contains("<svg"), file: file, line: line)
        let shot = try runChromium(
            flags + [
                "--enable-logging=stderr", "--v=0", "--window-size=1280,2400", "--screenshot=" + screenshot,
                "file://" + path,
            ])
        let console = shot.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        XCTAssertEqual(console, [], "no console messages (errors) while rendering", file: file, line: line)
        let size = (try FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? NSNumber)?.intValue ?? 0
        XCTAssertGreaterThan(size, 20_000, "a screenshot with content was written", file: file, line: line)
    }

    /// Output goes to files: two pipes read one after the other could deadlock on a chatty stderr.
    func runChromium(_ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let base = NSTemporaryDirectory() + "chromium-out-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        process.waitUntilExit()
        let stdout = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, "chromium failed: " + stderr)
        return (stdout, stderr)
    }
}
