// FleetViewTests: `list`, `status` and `report` with --all-clusters on a repository holding three clusters
// (FleetHistory), through the built binary: one row or section per cluster in text and JSON, each judged on its
// own against the configured policy, and the exit status of the worst cluster.
import Foundation
import XCTest

final class FleetViewTests: XCTestCase {
    func testListGroupsBackupsPerCluster() throws {
        let workspace = try FleetHistory.workspace("fleet-list")
        let text = try workspace.lifeboat(["list", "--all-clusters"])
        XCTAssertEqual(text.status, 0, text.output)
        for cluster in ["analytics", "main", "orders"] {
            XCTAssertTrue(text.stdout.contains("cluster '\(cluster)': 20 complete backups"), text.stdout)
        }
        let order = ["cluster 'analytics'", "cluster 'main'", "cluster 'orders'"]
            .compactMap { text.stdout.range(of: $0)?.lowerBound }
        XCTAssertEqual(order, order.sorted())
        XCTAssertTrue(text.stdout.contains("WAL gap on timeline 1"), "orders' gap is listed: " + text.stdout)

        let json = try workspace.json(try workspace.lifeboat(["list", "--all-clusters", "--json"]))
        XCTAssertEqual(json["repository"] as? String, "file://" + workspace.repository)
        let clusters = try XCTUnwrap(json["clusters"] as? [[String: Any]])
        XCTAssertEqual(clusters.map { $0["cluster"] as? String }, ["analytics", "main", "orders"])
        XCTAssertEqual(clusters.map { ($0["backups"] as? [Any])?.count }, [20, 20, 20])
        XCTAssertEqual(clusters.map { ($0["wal_gaps"] as? [Any])?.count }, [0, 0, 1])
        XCTAssertNotNil(clusters[0]["recovery_window"])

        let single = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        XCTAssertEqual(single["cluster"] as? String, "main", "without the flag list shows the configured cluster")
    }

    func testStatusRowsAndTheWorstVerdict() throws {
        let workspace = try FleetHistory.workspace("fleet-status")
        let now = ["--now", "2026-09-21T00:30:00Z"]
        let text = try workspace.lifeboat(["status", "--all-clusters"] + now)
        XCTAssertEqual(text.status, 3, "orders exceeds the objective: " + text.output)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let row = { (cluster: String) in lines.first { $0.hasPrefix(cluster + " ") } ?? "" }
        XCTAssertTrue(row("main").contains(" OK "), text.stdout)
        XCTAssertTrue(row("analytics").contains(" OK "), text.stdout)
        XCTAssertTrue(row("analytics").hasSuffix("never"), "analytics never ran a drill: " + text.stdout)
        XCTAssertTrue(row("orders").contains(" EXCEEDED "), text.stdout)
        XCTAssertTrue(row("main").contains("weekly-full 2026-09-15 12:00:00Z passed"), text.stdout)
        let summary = "objective 2h (policy fleet-audit, applied to every cluster): orders exceeded"
        XCTAssertTrue(text.stdout.contains(summary), text.stdout)

        let run = try workspace.lifeboat(["status", "--all-clusters", "--json"] + now)
        XCTAssertEqual(run.status, 3, run.stderr)
        XCTAssertTrue(run.stderr.contains("orders exceeded"), "--json says why on stderr: " + run.stderr)
        let json = try workspace.json(run)
        XCTAssertEqual(json["objective_seconds"] as? Double, 7200)
        XCTAssertEqual(json["objective_source"] as? String, "policy fleet-audit")
        XCTAssertEqual(json["status"] as? String, "exceeded")
        let clusters = try XCTUnwrap(json["clusters"] as? [[String: Any]])
        XCTAssertEqual(clusters.map { $0["cluster"] as? String }, ["analytics", "main", "orders"])
        XCTAssertEqual(clusters.map { $0["status"] as? String }, ["ok", "ok", "exceeded"])
        XCTAssertEqual(clusters.map { $0["source"] as? String }, ["wal_archive", "wal_archive", "wal_archive"])
        XCTAssertEqual(
            try XCTUnwrap(clusters[2]["exposure_seconds"] as? Double), 12.5 * 3600 - 30, accuracy: 1,
            "orders archived its last segment at 12:00:30 on the 20th")
        XCTAssertNil(clusters[0]["last_drill"], "analytics never ran a drill")
        XCTAssertEqual((clusters[1]["last_drill"] as? [String: Any])?["verdict"] as? String, "passed")
        let lastBackups = try XCTUnwrap(clusters[1]["last_backups"] as? [[String: Any]])
        XCTAssertEqual(lastBackups.map { $0["kind"] as? String }, ["snapshot"])

        let within = try workspace.lifeboat(["status", "--all-clusters", "--rpo", "13h"] + now)
        XCTAssertEqual(within.status, 0, "every cluster within 13h: " + within.output)
    }

    func testReportJudgesEveryCluster() throws {
        let workspace = try FleetHistory.workspace("fleet-report")
        let run = try workspace.lifeboat(["report", "--all-clusters", "--format", "json"] + FleetHistory.period)
        XCTAssertEqual(run.status, 3, "two clusters are not compliant: " + run.stderr)
        XCTAssertTrue(run.stderr.contains("the fleet is not compliant"), run.stderr)
        let json = try workspace.json(run)
        XCTAssertEqual(json["policy"] as? String, "fleet-audit")
        XCTAssertEqual((json["verdict"] as? [String: Any])?["status"] as? String, "not_compliant")
        let clusters = try XCTUnwrap(json["clusters"] as? [[String: Any]])
        XCTAssertEqual(clusters.map { $0["cluster"] as? String }, ["analytics", "main", "orders"])
        XCTAssertEqual(clusters.map { $0["verdict"] as? String }, ["not_compliant", "compliant", "not_compliant"])
        let objectives = clusters.map { row in
            Dictionary(
                uniqueKeysWithValues: (row["objectives"] as? [[String: Any]] ?? []).map {
                    ($0["objective"] as? String ?? "", $0["status"] as? String ?? "")
                })
        }
        XCTAssertEqual(objectives[0]["drill_cadence"], "not_met", "analytics never ran a drill")
        XCTAssertEqual(objectives[0]["rpo"], "met")
        XCTAssertEqual(objectives[1]["rpo"], "met")
        XCTAssertEqual(objectives[1]["drill_cadence"], "met")
        XCTAssertEqual(objectives[2]["rpo"], "not_met", "orders has a WAL gap")
        XCTAssertEqual(objectives[2]["drill_cadence"], "met")
        XCTAssertGreaterThan(try XCTUnwrap(clusters[2]["worst_exposure_seconds"] as? Double), 7200)
        XCTAssertNil(clusters[0]["last_drill"])
        XCTAssertEqual((clusters[1]["last_drill"] as? [String: Any])?["verdict"] as? String, "passed")
        XCTAssertEqual(
            (json["reports"] as? [[String: Any]])?.map { $0["cluster"] as? String },
            ["analytics", "main", "orders"])

        let markdown = try workspace.lifeboat(["report", "--all-clusters"] + FleetHistory.period)
        XCTAssertEqual(markdown.status, 3, markdown.stderr)
        XCTAssertTrue(
            markdown.stdout.contains("**Verdict: NOT COMPLIANT** (3 clusters: 1 compliant, 2 not compliant)"),
            markdown.stdout)
        XCTAssertTrue(markdown.stdout.contains("| main | COMPLIANT |"), markdown.stdout)
        XCTAssertTrue(markdown.stdout.contains("## Compliance report: orders"), markdown.stdout)

        let html = workspace.directory + "/fleet.html"
        let written = try workspace.lifeboat(
            ["report", "--all-clusters", "--format", "html", "--output", html]
                + FleetHistory.period)
        XCTAssertEqual(written.status, 3, written.output)
        XCTAssertTrue(
            written.stdout.contains("fleet report written to \(html): NOT COMPLIANT (3 clusters)"),
            written.output)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        XCTAssertTrue(page.contains("id=\"fleet-summary\""))

        let single = try workspace.json(try workspace.lifeboat(["report", "--format", "json"] + FleetHistory.period))
        XCTAssertEqual(single["cluster"] as? String, "main", "without the flag the report is the configured cluster's")
        XCTAssertEqual((single["verdict"] as? [String: Any])?["status"] as? String, "compliant")
    }
}
