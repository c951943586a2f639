// Incremental snapshots through the built binary against the scratch PostgreSQL (docs/format.md §6.5): without a
// parent `--incremental` takes a full snapshot and says why; after a small change an incremental stores far less
// than the full; a chain of three records its parents; every snapshot keeps the server's backup manifest. On
// PostgreSQL 17+ the incremental comes from the server's WAL summaries while summarize_wal is on, and from page
// LSNs (saying why, and on a parent whose manifest lists real files) once it is off; on 15/16 from page LSNs.
import Foundation
import PGClient
import XCTest

final class IncrementalBackupTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testFullThenIncrementalsRecordTheirChainAndStoreOnlyTheChange() throws {
        var options = ArchivingOptions(table: "(id integer PRIMARY KEY, filler text)", snapshot: false)
        options.prepare = { workspace in
            try workspace.initialize()
            try workspace.writeConfig(extra: "backup:\n  incremental: { full_every: 7d, max_chain: 2 }")
        }
        let scenario = try archivingScenario(env, name: "incr", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let major = admin.serverVersionNumber / 10000
        if major >= 17 {
            try admin.execute("ALTER SYSTEM SET summarize_wal = on")
            try admin.execute("SELECT pg_reload_conf()")
            addTeardownBlock {
                try? admin.execute("ALTER SYSTEM RESET summarize_wal")
                try? admin.execute("SELECT pg_reload_conf()")
            }
        }
        // About 10 MB of table that compresses poorly, so the full is clearly bigger than any catalog churn.
        try admin.execute(
            "INSERT INTO \(table) SELECT i, md5(i::text) || md5((i * 7)::text) || md5((i * 13)::text) "
                + "FROM generate_series(1, 60000) AS i")
        // Hint bits set now, before the full: with data checksums (PostgreSQL 18's default) setting them later writes
        // full-page images, and every page would count as changed since the full.
        try admin.execute("VACUUM ANALYZE \(table)")

        let check = try checkItem(workspace)
        XCTAssertEqual(check["ok"] as? Bool, true, "\(check)")
        XCTAssertTrue((check["detail"] as? String ?? "").contains(major >= 17 ? "wal-summary" : "page-lsn"), "\(check)")

        // backup.incremental decides: the first snapshot has no parent and says so.
        let full = try snapshot(workspace, [])
        XCTAssertEqual(full["type"] as? String, "full")
        XCTAssertTrue(
            (full["full_reason"] as? String ?? "").contains("no earlier snapshot"), "\(full["full_reason"] ?? "-")")
        let fullID = try XCTUnwrap(full["id"] as? String)
        let fullManifest = try show(workspace, fullID)
        XCTAssertEqual(fullManifest["format_version"] as? Int, 1)
        let fullSnapshot = try XCTUnwrap(fullManifest["snapshot"] as? [String: Any])
        XCTAssertEqual(fullSnapshot["server_manifest"] as? String, "backup_manifest.tar.zst.lbx")
        let objects = (fullManifest["objects"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        XCTAssertTrue(objects.contains("backup_manifest.tar.zst.lbx"), "\(objects)")
        XCTAssertNil(fullSnapshot["incremental"])

        try admin.execute("UPDATE \(table) SET filler = 'changed' WHERE id % 1000 = 0")
        let first = try snapshot(workspace, [])
        let method = major >= 17 ? "wal-summary" : "page-lsn"
        XCTAssertEqual(first["type"] as? String, "incremental", "\(first)")
        XCTAssertEqual(first["parent"] as? String, fullID)
        XCTAssertEqual(first["chain_length"] as? Int, 2)
        XCTAssertEqual(first["method"] as? String, method)
        let fullStored = try XCTUnwrap(full["stored_bytes"] as? Int)
        let firstStored = try XCTUnwrap(first["stored_bytes"] as? Int)
        XCTAssertLessThan(
            Double(firstStored), 0.3 * Double(fullStored), "incremental \(firstStored) B vs full \(fullStored) B")
        let firstID = try XCTUnwrap(first["id"] as? String)
        let firstManifest = try show(workspace, firstID)
        XCTAssertEqual(firstManifest["format_version"] as? Int, major >= 17 ? 2 : 5, "page-lsn deltas are sparse")
        let link = try XCTUnwrap((firstManifest["snapshot"] as? [String: Any])?["incremental"] as? [String: Any])
        XCTAssertEqual(link["parent"] as? String, fullID)
        XCTAssertEqual(link["chain"] as? [String], [fullID])
        XCTAssertEqual(link["method"] as? String, method)
        XCTAssertEqual(
            link["since_lsn"] as? String, (fullManifest["server"] as? [String: Any])?["start_lsn"] as? String)
        XCTAssertEqual((link["parent_manifest_sha256"] as? String)?.count, 64)

        try admin.execute("UPDATE \(table) SET filler = 'again' WHERE id % 1000 = 1")
        let second = try snapshot(workspace, ["--incremental"])
        XCTAssertEqual(second["type"] as? String, "incremental", "\(second)")
        XCTAssertEqual(second["parent"] as? String, firstID)
        XCTAssertEqual(second["chain_length"] as? Int, 3)
        XCTAssertEqual(second["method"] as? String, method)
        XCTAssertLessThan(Double(try XCTUnwrap(second["stored_bytes"] as? Int)), 0.3 * Double(fullStored))
        let secondManifest = try show(workspace, try XCTUnwrap(second["id"] as? String))
        let secondLink = (secondManifest["snapshot"] as? [String: Any])?["incremental"] as? [String: Any]
        XCTAssertEqual(secondLink?["chain"] as? [String], [fullID, firstID])

        // max_chain 2: the chain is full, so the next snapshot is a full one, saying why.
        let limited = try snapshot(workspace, [])
        XCTAssertEqual(limited["type"] as? String, "full", "\(limited)")
        XCTAssertTrue((limited["full_reason"] as? String ?? "").contains("max_chain 2"), "\(limited)")
        let limitedID = try XCTUnwrap(limited["id"] as? String)

        var expected = 5
        if major >= 17 {
            // Without WAL summaries page-lsn builds on the newest snapshot whose server manifest lists real files
            // (a wal-summary incremental's lists the server's INCREMENTAL.* entries); check says what to change.
            try admin.execute("ALTER SYSTEM SET summarize_wal = off")
            try admin.execute("SELECT pg_reload_conf()")
            let off = try checkItem(workspace)
            XCTAssertEqual(off["warning"] as? Bool, true, "\(off)")
            XCTAssertTrue((off["hint"] as? String ?? "").contains("ALTER SYSTEM SET summarize_wal = on"), "\(off)")
            try admin.execute("UPDATE \(table) SET filler = 'third' WHERE id % 1000 = 2")
            let third = try snapshot(workspace, ["--incremental"])
            XCTAssertEqual(third["method"] as? String, "page-lsn", "\(third)")
            XCTAssertEqual(third["parent"] as? String, limitedID)
            XCTAssertTrue((third["method_note"] as? String ?? "").contains("summarize_wal"), "\(third)")
            XCTAssertLessThan(Double(try XCTUnwrap(third["stored_bytes"] as? Int)), 0.3 * Double(fullStored))
            expected += 1
        }

        let forced = try snapshot(workspace, ["--full"])
        XCTAssertEqual(forced["type"] as? String, "full")
        XCTAssertNil(forced["full_reason"])
        let list = try workspace.lifeboat(["list", "--json"])
        XCTAssertEqual((try workspace.json(list)["backups"] as? [Any])?.count, expected, list.output)
    }

    func snapshot(_ workspace: Workspace, _ arguments: [String]) throws -> [String: Any] {
        let result = try workspace.lifeboat(["backup", "--type", "snapshot", "--json"] + arguments)
        XCTAssertEqual(result.status, 0, result.output)
        return try workspace.json(result)
    }

    /// The `incremental` item of `lifeboat check --json`.
    func checkItem(_ workspace: Workspace) throws -> [String: Any] {
        let result = try workspace.lifeboat(["check", "--json"])
        let items = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], result.output)
        return try XCTUnwrap(items.first { $0["check"] as? String == "incremental" }, result.stdout)
    }

    func show(_ workspace: Workspace, _ id: String) throws -> [String: Any] {
        let result = try workspace.lifeboat(["show", id, "--json"])
        XCTAssertEqual(result.status, 0, result.output)
        return try workspace.json(result)
    }
}
