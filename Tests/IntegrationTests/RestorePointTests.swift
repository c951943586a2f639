// restore --to-name: recovery to a named restore point (pg_create_restore_point) through the built binary.
// A snapshot, batch A, restore point 'before-b', batch B, WAL switched and archived: a restore to the restore
// point holds exactly batch A; a restore point that is not in the archived WAL is reported as a missed target.
import Foundation
import PGClient
import XCTest

final class RestorePointTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testRestoreToNamedRestorePointHoldsOnlyTheRowsBeforeIt() throws {
        let scenario = try archivingScenario(env, name: "rpoint")
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)

        try admin.execute("INSERT INTO \(table) SELECT i, 'A' FROM generate_series(1, 100) AS i")
        _ = try admin.query("SELECT pg_create_restore_point('before-b')")
        try admin.execute("INSERT INTO \(table) SELECT i, 'B' FROM generate_series(101, 200) AS i")
        try waitUntilArchived(admin, try scenario.switchWAL())

        let named = workspace.directory + "/named"
        let missing = workspace.directory + "/missing"
        defer {
            stopServer(named)
            stopServer(missing)
            withExtendedLifetime(workspace) {}
        }
        let dry = try workspace.lifeboat([
            "restore", "latest", "--data-dir", named, "--to-name", "before-b", "--dry-run",
        ])
        XCTAssertEqual(dry.status, 0, dry.output)
        XCTAssertTrue(dry.stdout.contains("restore point 'before-b'") && dry.stdout.contains("the newest"), dry.stdout)
        let both = try workspace.lifeboat([
            "restore", "latest", "--data-dir", named, "--to-name", "x", "--to-lsn", "0/1",
        ])
        XCTAssertEqual(both.status, 2, both.output)

        let port = try freePort()
        let restored = try workspace.lifeboat([
            "restore", "latest", "--data-dir", named, "--to-name", "before-b", "--start", "--port", String(port),
        ])
        XCTAssertEqual(restored.status, 0, restored.output)
        XCTAssertEqual(
            try batches(port: port, table: table), ["A": 100], "a restore to 'before-b' must hold batch A only")

        let missed = try workspace.lifeboat([
            "restore", "latest", "--data-dir", missing, "--to-name", "no-such-point",
            "--start", "--port", String(try freePort()),
        ])
        XCTAssertEqual(missed.status, 1, missed.output)
        XCTAssertTrue(
            missed.stderr.contains("without reaching the target (restore point 'no-such-point')"), missed.stderr)
        XCTAssertTrue(missed.stderr.contains("older backup id"), missed.stderr)
    }
}
