// A restored server that becomes the primary archives a new timeline into the same repository, and a later
// restore follows it: snapshot, batch A, time T, batch B (timeline 1); restore to T with promote (timeline 2),
// turn archiving on there (ALTER SYSTEM + restart, as an operator would), batch C on timeline 2, archived. A
// second restore of 'latest' must replay timeline 1, 00000002.history and timeline 2: batches A and C, not B.
// `list` shows the recoverable window on timeline 2 and `verify --wal` passes.
import Foundation
import PGClient
import XCTest

final class TimelineSwitchTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testRestoreFollowsTheTimelineAPromotedRestoreArchived() throws {
        let scenario = try archivingScenario(env, name: "tli")
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let archiveCommand = scenario.archiveCommand

        let target = try scenario.insertBatchesAroundATargetTime()
        try waitUntilArchived(admin, try scenario.switchWAL())

        let primary = workspace.directory + "/tl2"
        let second = workspace.directory + "/second"
        defer {
            stopServer(primary)
            stopServer(second)
            withExtendedLifetime(workspace) {}
        }
        let port1 = try freePort()
        let first = try workspace.lifeboat([
            "restore", "latest", "--data-dir", primary, "--to-time", target, "--start", "--port", String(port1),
        ])
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.stdout.contains("now on timeline 2"), first.stdout)

        // The restored server becomes a primary that archives into the same repository.
        let restoredURL = "postgresql://postgres@127.0.0.1:\(port1)/postgres"
        do {
            let restored = try PGConnection(try ConnectionInfo(restoredURL))
            defer { restored.close() }
            try restored.execute("ALTER SYSTEM SET archive_mode = on")
            try restored.execute("ALTER SYSTEM SET archive_command = \(try restored.quoteLiteral(archiveCommand))")
        }
        try restartServer(primary, port: port1, settings: [])
        let restored = try PGConnection(try ConnectionInfo(restoredURL))
        defer { restored.close() }
        XCTAssertEqual(try restored.query("SHOW archive_mode").rows.first?[0], "on")
        try restored.execute("INSERT INTO \(table) SELECT i, 'C' FROM generate_series(201, 300) AS i")
        let lastOnTwo = try XCTUnwrap(restored.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil)
        XCTAssertTrue(lastOnTwo.hasPrefix("00000002"), lastOnTwo)
        try waitUntilArchived(restored, lastOnTwo)

        let history = try workspace.lifeboat([
            "wal", "get", "00000002.history", workspace.directory + "/00000002.history",
        ])
        XCTAssertEqual(history.status, 0, "the timeline history must be archived: " + history.output)

        let port2 = try freePort()
        let latest = try workspace.lifeboat([
            "restore", "latest", "--data-dir", second, "--start", "--port", String(port2),
        ])
        XCTAssertEqual(latest.status, 0, latest.output)
        XCTAssertTrue(latest.stdout.contains("now on timeline 3"), latest.stdout)
        XCTAssertEqual(try batches(port: port2, table: table), ["A": 100, "C": 100], "latest must follow timeline 2")

        let list = try workspace.lifeboat(["list"])
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertTrue(list.stdout.contains("(timeline 2, from"), list.stdout)
        let verify = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(verify.status, 0, verify.output)
    }
}
