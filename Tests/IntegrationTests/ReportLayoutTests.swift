// ReportLayoutTests: the compliance report as an auditor sees it. Two repositories — a fresh one (init, one
// backup and one drill today: it must read "insufficient history", exit 0, never "not compliant") and a
// constructed year with missed days, failed runs, WAL gaps, and passed and failed drills (not compliant,
// exit 3) — are rendered to HTML and opened in headless Chromium at 1280 and 800 px. A script injected into a
// copy of the page checks what a person would notice: every SVG <text> lies inside its SVG and apart from the
// other texts of that SVG and off the dashed objective lines, no table is wider than the page column or has an empty header row, and the page
// does not scroll sideways. Screenshots at both widths and the printed PDF (A4) are kept in the artifacts
// directory (LIFEBOAT_TEST_ARTIFACTS, else $TMPDIR/lifeboat-report-layout) to be looked at.
import Catalog
import Foundation
import TestSupport
import XCTest

final class ReportLayoutTests: XCTestCase {
    static let policy = """
        name: audit
        timezone: UTC
        objectives: { rpo: 8h, rto: 1h, drill_every: 35d }
        keep:
          snapshot: { daily: 7, monthly: 12 }
        """

    func date(_ text: String) -> Date { CatalogCoding.parseTimestamp(text)! }

    var artifacts: String {
        let directory =
            ProcessInfo.processInfo.environment["LIFEBOAT_TEST_ARTIFACTS"] ?? NSTemporaryDirectory()
            + "lifeboat-report-layout"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func makeWorkspace(_ name: String) throws -> Workspace {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env, name: name)
        try workspace.initialize()
        try workspace.writePolicy(Self.policy, name: "audit.yml")
        return workspace
    }

    func testAFreshRepositoryReadsInsufficientHistoryAndLaysOutCleanly() throws {
        let workspace = try makeWorkspace("report-fresh")
        let history = try RepositoryHistory(configPath: workspace.configPath, repositoryRoot: workspace.repository)
        let now = Date()
        try history.archiveSegment(at: now.addingTimeInterval(-11 * 60))
        let backup = try history.snapshot(at: now.addingTimeInterval(-30 * 60))
        for minute in stride(from: 10, through: 1, by: -1) {
            try history.archiveSegment(at: now.addingTimeInterval(Double(-minute * 60)))
        }
        try history.drill(
            "nightly-smoke", at: now.addingTimeInterval(-5 * 60), backup: backup, rto: 120, rpo: 30,
            verdict: .passed, reasons: ["every check passed"])

        let json = try workspace.lifeboat(["report", "--format", "json"])
        XCTAssertEqual(json.status, 0, "insufficient history is not an objective missed: " + json.stderr)
        XCTAssertTrue(json.stderr.contains("insufficient history"), json.stderr)
        let report = try workspace.json(json)
        let verdict = try XCTUnwrap(report["verdict"] as? [String: Any])
        XCTAssertEqual(verdict["status"] as? String, "insufficient_history", "\(verdict)")
        let objectives = try XCTUnwrap(verdict["objectives"] as? [[String: Any]])
        let statuses = Dictionary(
            uniqueKeysWithValues: objectives.map { ($0["objective"] as? String ?? "", $0["status"] as? String ?? "") })
        XCTAssertEqual(statuses["rpo"], "insufficient_history")
        XCTAssertEqual(statuses["drill_cadence"], "met", "a drill passed today")
        XCTAssertEqual(statuses["rto"], "met")
        let reasons = (verdict["reasons"] as? [String] ?? []).joined(separator: "\n")
        XCTAssertFalse(reasons.contains("worst RPO exposure"), reasons)
        XCTAssertFalse(reasons.contains("drill cadence"), reasons)
        XCTAssertTrue(reasons.contains("before the repository existed"), reasons)

        let markdown = try workspace.lifeboat(["report"])
        XCTAssertEqual(markdown.status, 0, markdown.output)
        XCTAssertTrue(markdown.stdout.contains("**Verdict: INSUFFICIENT HISTORY**"), markdown.stdout)
        XCTAssertFalse(markdown.stdout.contains("NOT COMPLIANT"), markdown.stdout)

        let html = workspace.directory + "/report.html"
        let written = try workspace.lifeboat(["report", "--format", "html", "--output", html])
        XCTAssertEqual(written.status, 0, written.output)
        XCTAssertTrue(written.output.contains("INSUFFICIENT HISTORY"), written.output)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(page.contains("INSUFFICIENT HISTORY") && !page.contains("NOT COMPLIANT"))
        try assertLaidOutCleanly(html, name: "fresh")
    }

    /// 2026: a snapshot every day at 01:00 except on eight days (failed runs on four of them), WAL every six
    /// hours with two gaps, drills every four weeks — two failed, one of them made good a week later.
    func constructYear(_ workspace: Workspace) throws {
        let history = try RepositoryHistory(configPath: workspace.configPath, repositoryRoot: workspace.repository)
        let start = date("2026-01-01T00:00:00Z")
        let missed: Set<Int> = [40, 41, 97, 150, 151, 152, 260, 330]
        let failed: Set<Int> = [40, 97, 150, 330]
        var snapshots: [Int: BackupID] = [:]
        for quarter in 0..<(365 * 4) {
            let day = quarter / 4
            let at = start.addingTimeInterval(Double(quarter) * 6 * 3600)
            if (day == 120 && quarter % 4 >= 1) || (day == 121 && quarter % 4 == 0) || (day == 299 && quarter % 4 == 2)
            {
                history.skipSegments(2)
                continue
            }
            try history.archiveSegment(at: at.addingTimeInterval(30))
            if quarter % 4 == 0 {
                if failed.contains(day) {
                    try history.leftover(at: at.addingTimeInterval(3600), kind: .snapshot)
                } else if !missed.contains(day) {
                    snapshots[day] = try history.snapshot(at: at.addingTimeInterval(3600))
                }
            }
        }
        for day in stride(from: 10, to: 365, by: 28) {
            guard let backup = snapshots[day] ?? snapshots[day - 1] else { continue }
            let failing = day == 66 || day == 290
            try history.drill(
                "monthly-full", at: start.addingTimeInterval(Double(day) * 86_400 + 12 * 3600),
                backup: backup, rto: failing ? 4300 : 1500 + Double(day) * 3, rpo: 600 + Double(day),
                verdict: failing ? .failed : .passed, reasons: failing ? ["RTO 1h11m40s exceeds the objective 1h"] : [])
            if day == 66, let later = snapshots[73] {
                try history.drill(
                    "monthly-full", at: start.addingTimeInterval(73 * 86_400 + 12 * 3600), backup: later, rto: 1700,
                    rpo: 700,
                    verdict: .passed, reasons: [])
            }
        }
    }

    func testAYearOfHistoryWithFailuresLaysOutCleanly() throws {
        let workspace = try makeWorkspace("report-year")
        try constructYear(workspace)
        let period = [
            "--since", "2026-01-01T00:00:00Z", "--until", "2027-01-01T00:00:00Z", "--now", "2027-01-01T06:00:00Z",
        ]
        let json = try workspace.lifeboat(["report", "--format", "json"] + period)
        XCTAssertEqual(json.status, 3, json.stderr)
        let verdict = try XCTUnwrap(try workspace.json(json)["verdict"] as? [String: Any])
        XCTAssertEqual(verdict["status"] as? String, "not_compliant")
        let statuses = (verdict["objectives"] as? [[String: Any]] ?? []).map {
            "\($0["objective"] ?? "")=\($0["status"] ?? "")"
        }
        XCTAssertTrue(statuses.contains("rpo=not_met"), "\(statuses)")
        XCTAssertTrue(statuses.contains("schedule=not_met"), "\(statuses)")

        let html = workspace.directory + "/report.html"
        let written = try workspace.lifeboat(["report", "--format", "html", "--output", html] + period)
        XCTAssertEqual(written.status, 3, written.output)
        try assertLaidOutCleanly(html, name: "year")
    }

    // MARK: - Chromium

    /// At 1280 and 800 px: the injected check finds nothing, and a screenshot is kept; then the page prints to
    /// an A4 PDF with a page per section.
    func assertLaidOutCleanly(_ path: String, name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let checked = path.replacingOccurrences(of: ".html", with: "-checked.html")
        let page = try String(contentsOfFile: path, encoding: .utf8)
        try page.replacingOccurrences(of: "</body>", with: "<script>\n\(Self.layoutCheck)\n</script>\n</body>")
            .write(toFile: checked, atomically: true, encoding: .utf8)
        for width in [1280, 800] {
            let dom = try chromium([
                "--window-size=\(width),1000", "--virtual-time-budget=3000", "--dump-dom", "file://" + checked,
            ])
            guard let start = dom.range(of: "<pre id=\"layout-check\">"),
                let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
            else {
                return XCTFail(
                    "the layout check did not run at \(width) px: \(dom.suffix(2000))", file: file, line: line)
            }
            let result = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&")
            let check = try XCTUnwrap(
                try JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any], file: file, line: line)
            XCTAssertEqual(
                check["innerWidth"] as? Int, width, "the viewport is \(width) px wide", file: file, line: line)
            XCTAssertEqual(check["problems"] as? [String], [], "\(name) at \(width) px", file: file, line: line)
            XCTAssertGreaterThan(
                check["texts"] as? Int ?? 0, 10, "the charts' texts were measured", file: file, line: line)
            XCTAssertLessThanOrEqual(check["scrollWidth"] as? Int ?? .max, width, file: file, line: line)

            let screenshot = workspaceArtifact(path, "\(name)-\(width).png")
            _ = try chromium(["--window-size=\(width),4000", "--screenshot=" + screenshot, "file://" + path])
            let size = (try FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? NSNumber)?.intValue ?? 0
            XCTAssertGreaterThan(size, 20_000, "a screenshot with content at \(width) px", file: file, line: line)
        }
        let pdf = workspaceArtifact(path, "\(name).pdf")
        _ = try chromium(["--no-pdf-header-footer", "--print-to-pdf=" + pdf, "file://" + path])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: pdf))
        XCTAssertEqual(String(decoding: bytes.prefix(5), as: UTF8.self), "%PDF-", file: file, line: line)
        let text = String(decoding: bytes, as: UTF8.self)
        let pages = try NSRegularExpression(pattern: "/Type\\s*/Page[^s]").numberOfMatches(
            in: text, range: NSRange(text.startIndex..., in: text))
        XCTAssertGreaterThanOrEqual(
            pages, 6, "the first screen and each section on its own page", file: file, line: line)
        XCTAssertTrue(
            text.contains("/MediaBox [0 0 594") || text.contains("/MediaBox [0 0 595"), "A4 pages", file: file,
            line: line)
    }

    /// Written beside the report and copied to the artifacts directory, which outlives the workspace.
    func workspaceArtifact(_ reportPath: String, _ name: String) -> String {
        let path = artifacts + "/" + name
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    /// Output goes to files: two pipes read one after the other could deadlock on a chatty stderr.
    func chromium(_ arguments: [String]) throws -> String {
        let base = NSTemporaryDirectory() + "chromium-layout-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
            try? FileManager.default.removeItem(atPath: base + ".profile")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=" + base + ".profile",
            ] + arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        process.waitUntilExit()
        let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, "chromium failed: " + stderr)
        return (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
    }

    /// Runs in the page after layout and appends its findings as JSON in <pre id="layout-check">.
    static let layoutCheck = """
        (function () {
          var problems = [], texts = 0, svgs = document.querySelectorAll('svg');
          for (var s = 0; s < svgs.length; s++) {
            var svg = svgs[s], box = svg.getBoundingClientRect(), name = svg.id || ('svg #' + s), items = [];
            var nodes = svg.querySelectorAll('text');
            for (var i = 0; i < nodes.length; i++) {
              var r = nodes[i].getBoundingClientRect();
              if (r.width === 0 && r.height === 0) continue;
              texts++;
              items.push({ text: nodes[i].textContent, r: r });
              if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
                problems.push('clipped in ' + name + ': "' + nodes[i].textContent + '"');
            }
            var lines = svg.querySelectorAll('line[stroke-dasharray]');
            for (var l = 0; l < lines.length; l++) {
              var k = lines[l].getBoundingClientRect();
              for (var m = 0; m < items.length; m++) {
                var u = items[m].r;
                if (Math.min(u.right, k.right) - Math.max(u.left, k.left) > 0.5 && k.top < u.bottom - 1 && k.bottom > u.top + 1)
                  problems.push('a dashed objective line crosses "' + items[m].text + '" in ' + name);
              }
            }
            for (var a = 0; a < items.length; a++) for (var b = a + 1; b < items.length; b++) {
              var p = items[a].r, q = items[b].r;
              var w = Math.min(p.right, q.right) - Math.max(p.left, q.left), h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
              if (w > 0.5 && h > 0.5) problems.push('overlap in ' + name + ': "' + items[a].text + '" and "' + items[b].text + '"');
            }
          }
          var column = document.body.getBoundingClientRect(), tables = document.querySelectorAll('table');
          for (var t = 0; t < tables.length; t++) {
            var name = tables[t].id || ('table #' + t), right = tables[t].getBoundingClientRect().right;
            if (right > column.right + 0.5) problems.push(name + ' is wider than the page column');
            var heads = tables[t].querySelectorAll('thead th');
            if (heads.length && Array.prototype.every.call(heads, function (th) { return th.textContent.trim() === ''; }))
              problems.push(name + ' has an empty header row');
          }
          var scrollWidth = document.documentElement.scrollWidth;
          if (scrollWidth > window.innerWidth) problems.push('the page scrolls sideways: ' + scrollWidth + ' > ' + window.innerWidth);
          var out = document.createElement('pre');
          out.id = 'layout-check';
          out.textContent = JSON.stringify({ innerWidth: window.innerWidth, scrollWidth: scrollWidth, texts: texts, problems: problems });
          document.body.appendChild(out);
        })();
        """
}
