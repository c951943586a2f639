// Snapshots read from a streaming standby while WAL comes from the primary's archive (README "backup --type
// snapshot --from-standby"): one standby, made with pg_basebackup -R from the scratch primary, serves both tests
// of this file in one run. A full and an incremental snapshot are taken from it (page-lsn on PostgreSQL 15;
// wal-summary on 17+, where the standby summarizes the WAL it replays), rows are written on the
// primary after them, and a PITR restore of the incremental (its chain: both standby snapshots) replays past the
// standby's stop point to exactly the target. Then, with the standby's replay paused, a snapshot from it is refused
// (exit 1) as too far behind, and `check` warns about it.
import Foundation
import PGClient
import TestSupport
import XCTest

final class StandbySnapshotTests: XCTestCase {
    func testSnapshotsFromAStandbyRestoreAndReplayAndALaggingStandbyIsRefused() throws {
        let env = try TestEnvironment.require()
        let major = try serverMajor(env)
        let standby = try StandbyServer(env, port: try freePort(), settings: major >= 17 ? ["summarize_wal=on"] : [])
        defer { standby.stop() }
        let standbyLine = "standby_url: \"\(standby.url)\""
        var options = ArchivingOptions()
        options.snapshot = false
        options.prepare = { workspace in
            try workspace.initialize()
            try workspace.writeConfig(postgres: [standbyLine])
        }
        let scenario = try archivingScenario(env, name: "standby", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)

        try admin.execute("INSERT INTO \(table) SELECT i, 'A' FROM generate_series(1, 100) AS i")
        try standby.waitForReplay(of: admin)
        let full = try snapshotFromStandby(workspace, ["--full"])
        XCTAssertEqual(full["type"] as? String, "full")
        try admin.execute("INSERT INTO \(table) SELECT i, 'I' FROM generate_series(101, 150) AS i")
        try standby.waitForReplay(of: admin)
        let incremental = try snapshotFromStandby(workspace, ["--incremental"])
        XCTAssertEqual(incremental["type"] as? String, "incremental", "\(incremental)")
        XCTAssertEqual(incremental["method"] as? String, major >= 17 ? "wal-summary" : "page-lsn", "\(incremental)")
        let id = try XCTUnwrap(incremental["id"] as? String)
        // Format version 4 (from a standby), or 5 when its deltas are sparse page-lsn parts.
        try assertRecordedFromStandby(workspace, id: id, formatVersion: major >= 17 ? 4 : 5)

        // Written on the primary after the snapshot: only replay of the primary's archive can bring B back.
        try admin.execute("INSERT INTO \(table) SELECT i, 'B' FROM generate_series(151, 250) AS i")
        Thread.sleep(forTimeInterval: 1.2)
        let now = "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        let target = try XCTUnwrap(admin.query(now).rows.first?[0] ?? nil)
        Thread.sleep(forTimeInterval: 1.2)
        try admin.execute("INSERT INTO \(table) SELECT i, 'C' FROM generate_series(251, 300) AS i")
        try waitUntilArchived(admin, try scenario.switchWAL())

        let restored = workspace.directory + "/restored"
        defer { stopServer(restored) }
        let port = try freePort()
        let restore = try workspace.lifeboat([
            "restore", id, "--data-dir", restored, "--to-time", target, "--start", "--port", String(port),
        ])
        XCTAssertEqual(restore.status, 0, restore.output)
        // batches() also requires the restored server to be promoted: a standby.signal left from the standby
        // would have kept it a standby.
        XCTAssertEqual(try batches(port: port, table: table), ["A": 100, "I": 50, "B": 100])
        stopServer(restored)
        try assertRestoredAsRecoveryNotStandby(workspace, id: id)

        try refuseWhileReplayIsPaused(scenario, standby: standby, standbyLine: standbyLine)
    }

    /// The standby's standby.signal is in its snapshot; PostgreSQL would honour it over recovery.signal and keep the
    /// restored server a standby, streaming from the primary. A server promoted at a target removes both files, so
    /// this looks at a restore that is not started.
    func assertRestoredAsRecoveryNotStandby(_ workspace: Workspace, id: String) throws {
        let directory = workspace.directory + "/unstarted"
        let restore = try workspace.lifeboat(["restore", id, "--data-dir", directory])
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/recovery.signal"))
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: directory + "/standby.signal"),
            "a restored standby snapshot must recover from the archive, not start as a standby")
        let credentials = try FileManager.default.contentsOfDirectory(atPath: workspace.directory)
            .filter { $0.hasPrefix("unstarted.credentials-") }
        for name in credentials { try? FileManager.default.removeItem(atPath: workspace.directory + "/" + name) }
        try FileManager.default.removeItem(atPath: directory)
    }

    func serverMajor(_ env: TestEnvironment) throws -> Int {
        let admin = try env.admin()
        defer { admin.close() }
        let text = try admin.query("SHOW server_version_num").rows.first?[0] ?? nil
        return (Int(text ?? "") ?? 0) / 10000
    }

    /// `backup --type snapshot --from-standby ARGS --json`, asserting success; its JSON summary.
    func snapshotFromStandby(_ workspace: Workspace, _ arguments: [String]) throws -> [String: Any] {
        let result = try workspace.lifeboat(["backup", "--type", "snapshot", "--from-standby", "--json"] + arguments)
        XCTAssertEqual(result.status, 0, result.output)
        let summary = try workspace.json(result)
        XCTAssertEqual(summary["from_standby"] as? Bool, true, result.stdout)
        return summary
    }

    /// `show --json` (the manifest, format version 4 or higher) and `list --json` say where the snapshot was read.
    func assertRecordedFromStandby(_ workspace: Workspace, id: String, formatVersion: Int) throws {
        let show = try workspace.lifeboat(["show", id, "--json"])
        XCTAssertEqual(show.status, 0, show.output)
        let manifest = try workspace.json(show)
        let snapshot = try XCTUnwrap(manifest["snapshot"] as? [String: Any])
        XCTAssertEqual(snapshot["from_standby"] as? Bool, true, show.stdout)
        // A reader that would not delete standby.signal must refuse it (docs/format.md §6.1).
        XCTAssertEqual(manifest["format_version"] as? Int, formatVersion, show.stdout)
        let list = try workspace.lifeboat(["list", "--json"])
        let backups = try XCTUnwrap(try workspace.json(list)["backups"] as? [[String: Any]])
        XCTAssertEqual(backups.count, 2, list.stdout)
        XCTAssertEqual(backups.map { $0["from_standby"] as? Bool }, [true, true], list.stdout)
        let text = try workspace.lifeboat(["show", id])
        XCTAssertTrue(text.stdout.contains("read from a standby"), text.stdout)
    }

    /// With replay paused and 2 MiB of WAL written on the primary, a 1MiB limit refuses the snapshot before
    /// anything is written; `check` reports the standby's lag as a warning.
    func refuseWhileReplayIsPaused(_ scenario: ArchivingScenario, standby: StandbyServer, standbyLine: String) throws {
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let session = try standby.connect()
        defer {
            _ = try? session.query("SELECT pg_wal_replay_resume()")
            session.close()
        }
        _ = try session.query("SELECT pg_wal_replay_pause()")
        try admin.execute(
            "INSERT INTO \(table) SELECT i, repeat('x', 200) FROM generate_series(1001, 11000) AS i")
        try workspace.writeConfig(postgres: [standbyLine, "standby_max_lag: 1MiB"])
        let before = try workspace.backupObjects()

        let refused = try workspace.lifeboat(["backup", "--type", "snapshot", "--from-standby"])
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.stderr.contains("is too far behind the primary"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("(postgres.standby_max_lag is 1MiB)"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("pg_wal_replay_resume()"), refused.stderr)
        XCTAssertEqual(try workspace.backupObjects(), before, "nothing was written")

        let check = try workspace.lifeboat(["check", "--json"])
        XCTAssertEqual(check.status, 0, check.output)
        let items = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [[String: Any]], check.stdout)
        let item = try XCTUnwrap(items.first { $0["check"] as? String == "standby" }, check.stdout)
        XCTAssertEqual(item["warning"] as? Bool, true, "\(item)")
        XCTAssertTrue((item["detail"] as? String)?.contains("would be refused now") == true, "\(item)")
        XCTAssertEqual(items.first { $0["check"] as? String == "standby replication" }?["ok"] as? Bool, true)
    }
}
