// `lifeboat check` and WAL archiving, against the scratch PostgreSQL (archive_mode = on): with archive_command
// pushing into the workspace's repository the check forces a WAL switch and reports the segment's arrival; with
// a failing archive_command it warns with the exact line to use and fails within LIFEBOAT_CHECK_WAL_SECONDS,
// naming archive_command and pg_stat_archiver's last failure.
import Foundation
import PGClient
import XCTest

final class CheckCommandTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testCheckSwitchesWALAndSeesTheSegmentArrive() throws {
        let workspace = try archivingScenario(env, name: "check", .archivingOnly).workspace

        let check = try workspace.lifeboat(["check"])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.stdout.contains("ok   archiving: archive_mode = on"), check.stdout)
        XCTAssertTrue(check.stdout.contains("ok   archive_command:"), check.stdout)
        XCTAssertTrue(check.stdout.contains("arrived in the repository"), check.stdout)

        let json = try workspace.lifeboat(["check", "--json"])
        XCTAssertEqual(json.status, 0, json.output)
        let items = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]], json.stdout)
        let walSwitch = try XCTUnwrap(items.first { $0["check"] as? String == "wal switch" }, json.stdout)
        XCTAssertEqual(walSwitch["ok"] as? Bool, true)
        XCTAssertNil(walSwitch["warning"])
        // The segment named in the detail really has a committed record.
        let detail = try XCTUnwrap(walSwitch["detail"] as? String)
        let name = try XCTUnwrap(detail.split(separator: " ").first { $0.count == 24 }.map(String.init), detail)
        XCTAssertNotNil(try workspace.repositoryFiles()["wal/main/\(name.prefix(8))/\(name).meta.lbx"])
    }

    func testFailingArchiveCommandWarnsAndFailsWithinTheLimit() throws {
        let workspace = try Workspace(env, name: "checkfail")
        try workspace.initialize()
        // With logical backups only, an archive_command for another tool is a warning and no WAL switch is forced.
        let admin0 = try env.admin()
        try setArchiveCommand(admin0, "/bin/false")
        admin0.close()
        defer { try? env.resetArchiveCommand() }
        let logical = try workspace.lifeboat(["check"], environment: ["LIFEBOAT_CHECK_WAL_SECONDS": "5"])
        XCTAssertEqual(logical.status, 0, logical.output)
        XCTAssertTrue(logical.stdout.contains("WARN archive_command: archive_command is '/bin/false'"), logical.stdout)
        XCTAssertTrue(
            logical.stdout.contains("skip wal switch: skipped: archive_command does not run lifeboat"), logical.stdout)
        // With snapshots configured, archiving must work: the WAL switch is forced and fails.
        try workspace.writeConfig(extra: "backup:\n  type: snapshot")
        let admin = try env.admin()
        defer { admin.close() }
        try setArchiveCommand(admin, "/bin/false")
        defer { try? env.resetArchiveCommand() }

        let started = Date()
        let check = try workspace.lifeboat(["check"], environment: ["LIFEBOAT_CHECK_WAL_SECONDS": "5"])
        XCTAssertEqual(check.status, 1, check.output)
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        // archive_command is not lifeboat's: a warning with the exact line, naming this configuration by absolute path.
        XCTAssertTrue(check.stdout.contains("WARN archive_command: archive_command is '/bin/false'"), check.stdout)
        XCTAssertTrue(
            check.stdout.contains("archive_command = '\(env.binary) --config \(workspace.configPath) wal push %p'"),
            check.stdout)
        // The WAL switch fails, naming archive_command and the archiver's last failure.
        let failure = try XCTUnwrap(
            check.stdout.split(separator: "\n").first { $0.hasPrefix("FAIL wal switch:") }, check.stdout)
        XCTAssertTrue(failure.contains("within 5 s"), String(failure))
        XCTAssertTrue(failure.contains("archive_command is '/bin/false'"), String(failure))
        XCTAssertTrue(failure.contains("last_failed_wal"), String(failure))
        XCTAssertTrue(check.stdout.contains("pg_stat_archiver"), check.stdout)
        // Snapshots need a replication connection (BASE_BACKUP), which the scratch server allows.
        XCTAssertTrue(check.stdout.contains("ok   replication: replication connection works"), check.stdout)
        // Nothing else failed.
        XCTAssertEqual(check.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }.count, 1, check.stdout)
    }

    // MARK: helpers

}
