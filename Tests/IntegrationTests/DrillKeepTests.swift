// `drill run --keep` leaves the scratch cluster (running) or scratch database for the operator, and a later
// drill's sweep of abandoned scratch (drills killed outright) leaves a kept one alone.
import Foundation
import PGClient
import XCTest

final class DrillKeepTests: XCTestCase {
    func testKeptScratchSurvivesTheRunAndTheNextDrillsSweep() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("keepsrc")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 200)
        let workspace = try Workspace(env, name: "keep")
        try workspace.initialize(database: source)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)
        let admin = try env.admin()
        defer { admin.close() }
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter {
            $0.hasPrefix("lifeboat-drill-")
        }

        for (kind, target) in [
            ("cluster", "target: { scratch: cluster }"),
            ("database", "target: { scratch: database, url: \"\(env.url(database: "postgres"))\" }"),
        ] {
            let drill = try workspace.writeDrill(
                "keep-\(kind)",
                """
                restore: { type: logical, database: \(source) }
                \(target)
                checks: { row_counts: true }

                """)
            let kept = try workspace.lifeboat(["drill", "run", drill, "--keep"])
            XCTAssertEqual(kept.status, 0, kept.output)
            let other = try workspace.lifeboat(["drill", "run", drill])  // sweeps abandoned scratch first
            XCTAssertEqual(other.status, 0, other.output)
        }
        let directories = Set((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [])
            .filter { $0.hasPrefix("lifeboat-drill-") }.subtracting(before)
        XCTAssertEqual(directories.count, 1, "the kept scratch cluster stays: \(directories)")
        let servers = try FaultInjectionTests.scratchServers().filter { pid in
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
            return directories.contains { cwd.hasPrefix("/tmp/" + $0) }
        }
        XCTAssertFalse(servers.isEmpty, "the kept scratch cluster's server still runs")
        let databases = try admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'lifeboat_drill_%'").rows
            .compactMap { $0[0] }
        XCTAssertEqual(databases.count, 1, "the kept scratch database stays: \(databases)")

        // Clean up as an operator would.
        for name in databases { try admin.execute("DROP DATABASE \(name) WITH (FORCE)") }
        for directory in directories {
            _ = try shellStatus(
                "runuser -u postgres -- \(TestEnvironment.pgBin)/pg_ctl -D /tmp/\(directory)/data -m immediate stop")
            try? FileManager.default.removeItem(atPath: "/tmp/" + directory)
        }
    }
}
