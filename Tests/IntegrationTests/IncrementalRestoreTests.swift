// Restoring incremental chains through the built binary (docs/format.md §6.5), against the scratch PostgreSQL
// archiving into the test's repository: full → changes → incremental → changes → incremental → a point in time
// inside the last incremental gives exactly that moment's rows; on PostgreSQL 17+ (wal-summary) every relation
// file is byte-identical to what pg_combinebackup makes of the same backups; a parent swapped for another valid
// snapshot is exit 4. On an s3:// repository a chain restores without staging anything.
import Foundation
import PGClient
import TestSupport
import XCTest

final class IncrementalRestoreTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    static let table = "(id integer PRIMARY KEY, batch text, filler text)"

    func testPointInTimeRestoreInsideTheLastIncrementalGivesThatMomentsRows() throws {
        let scenario = try archivingScenario(
            env, name: "incrpitr", ArchivingOptions(table: Self.table, snapshot: false))
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let major = admin.serverVersionNumber / 10000
        try enableWALSummaries(admin)
        try admin.execute(
            "INSERT INTO \(table) SELECT i, 'base', md5(i::text) || md5((i * 7)::text) "
                + "FROM generate_series(1, 30000) AS i")
        let full = try XCTUnwrap(try chainSnapshot(workspace, incremental: false)["id"] as? String)
        try admin.execute("UPDATE \(table) SET batch = 'one' WHERE id % 50 = 0")
        try admin.execute("INSERT INTO \(table) SELECT i, 'one', md5(i::text) FROM generate_series(30001, 31000) AS i")
        let first = try chainSnapshot(workspace, incremental: true)
        try admin.execute("DELETE FROM \(table) WHERE id % 70 = 0")
        try admin.execute("UPDATE \(table) SET batch = 'two', filler = 'x' WHERE id % 30 = 0")
        try admin.execute("INSERT INTO \(table) SELECT i, 'two', md5(i::text) FROM generate_series(31001, 32000) AS i")
        let second = try chainSnapshot(workspace, incremental: true)
        XCTAssertEqual(second["chain_length"] as? Int, 3, "\(second)")
        let method = major >= 17 ? "wal-summary" : "page-lsn"
        XCTAssertEqual(second["method"] as? String, method)

        // Inside the last incremental's recovery: a change, the moment T, more changes that must not come back.
        try admin.execute(
            "INSERT INTO \(table) SELECT i, 'three', md5(i::text) FROM generate_series(32001, 32500) AS i")
        let expected = try rowFingerprint(admin, table: table)
        let target = try scenario.insertBatchesAroundATargetTimeAfter {
            try admin.execute("UPDATE \(table) SET batch = 'after' WHERE id % 7 = 0")
            try admin.execute("DELETE FROM \(table) WHERE id < 500")
        }
        try waitUntilArchived(admin, try scenario.switchWAL())

        let restored = workspace.directory + "/chain"
        defer { stopServer(restored) }
        let restore = try workspace.lifeboat([
            "restore", "latest", "--data-dir", restored, "--to-time", target, "--json",
        ])
        XCTAssertEqual(restore.status, 0, restore.output)
        let result = try workspace.json(restore)
        let plan = try XCTUnwrap(result["plan"] as? [String: Any])
        XCTAssertEqual(plan["backup"] as? String, second["id"] as? String, "the newest snapshot before T")
        let chain = try XCTUnwrap(plan["chain"] as? [[String: Any]])
        XCTAssertEqual(
            chain.map { $0["backup"] as? String }, [second["id"] as? String, first["id"] as? String, full])
        XCTAssertEqual(chain.map { $0["type"] as? String }, ["incremental", "incremental", "full"])
        let read = try XCTUnwrap(result["chain"] as? [[String: Any]])
        XCTAssertEqual(read.count, 3)
        XCTAssertGreaterThan(read.last?["bytes_read"] as? Int ?? 0, 0, "most blocks come from the full")

        if major >= 17 {
            try assertSameAsCombineBackup(
                restored, workspace: workspace,
                ids: [full, first["id"] as? String ?? "", second["id"] as? String ?? ""])
        }

        let port = try freePort()
        try restartServer(restored, port: port, settings: ["archive_mode=off"])
        let connection = try waitUntilPromoted(port: port)
        defer { connection.close() }
        XCTAssertEqual(try rowFingerprint(connection, table: table), expected, "exactly the rows of \(target)")

        // A parent swapped for another valid snapshot: the stored bytes of the full's manifest over the first
        // incremental's. Both authenticate; the chain does not.
        let directory = workspace.repository + "/backups/main/"
        let parentManifest = directory + (first["id"] as? String ?? "") + "/manifest.lbx"
        try FileManager.default.removeItem(atPath: parentManifest)
        try FileManager.default.copyItem(atPath: directory + full + "/manifest.lbx", toPath: parentManifest)
        let newest = try XCTUnwrap(second["id"] as? String)
        let swapped = try workspace.lifeboat(["restore", newest, "--data-dir", workspace.directory + "/swapped"])
        XCTAssertEqual(swapped.status, 4, swapped.output)
        XCTAssertTrue(swapped.stderr.contains("its chain is broken"), swapped.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.directory + "/swapped"))
        // `latest` reads every manifest to choose, and names the copied one.
        let latest = try workspace.lifeboat(["restore", "latest", "--data-dir", workspace.directory + "/swapped"])
        XCTAssertEqual(latest.status, 4, latest.output)
        XCTAssertTrue(latest.stderr.contains("manifest.lbx"), latest.stderr)
    }

    /// pg_combinebackup of the same three backups, extracted as the server sent them, must give byte-identical
    /// relation files.
    func assertSameAsCombineBackup(_ restored: String, workspace: Workspace, ids: [String]) throws {
        let extractor = try RawBackupExtractor(configPath: workspace.configPath)
        var directories: [String] = []
        for (index, id) in ids.enumerated() {
            let directory = workspace.directory + "/raw-\(index)"
            try extractor.extract(id, into: directory)
            directories.append(directory)
        }
        let combined = workspace.directory + "/combined"
        let run = try ProcessRunner.run(
            TestEnvironment.pgBin + "/pg_combinebackup", directories + ["-o", combined, "--no-manifest"])
        XCTAssertEqual(run.status, 0, run.output)
        try assertSameRelationFiles(restored, combined)
    }
}

extension ArchivingScenario {
    /// Records a time T 1.5 s after now, then runs `after` 1.5 s later; returns T for `restore --to-time`.
    func insertBatchesAroundATargetTimeAfter(_ after: () throws -> Void) throws -> String {
        Thread.sleep(forTimeInterval: 1.5)
        let now = "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        let target = try XCTUnwrap(admin.query(now).rows.first?[0] ?? nil)
        Thread.sleep(forTimeInterval: 1.5)
        try after()
        return target
    }
}
