// Snapshots of a cluster with a user tablespace, through the built binary and the scratch PostgreSQL archiving
// into the test's repository: the tablespace is stored as its own object and listed in the manifest; a restore
// without --tablespace-map while the original directory is in use is refused (exit 2, naming the option); a
// restore with --tablespace-map puts it in a new directory, recovery links it there (pg_tablespace_location) and
// every row, from before and after the snapshot, is back.
import Foundation
import PGClient
import XCTest

final class TablespaceSnapshotTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testSnapshotWithTablespaceRestoresIntoMappedDirectory() throws {
        // The table lives in the tablespace, so the scenario creates neither; the tablespace directory is in the
        // workspace, created before the workspace is handed to the server's OS user.
        let options = ArchivingOptions(
            table: nil,
            prepare: { workspace in
                try workspace.initialize()
                try FileManager.default.createDirectory(
                    atPath: workspace.directory + "/ts-original",
                    withIntermediateDirectories: true)
            }, snapshot: false)
        let scenario = try archivingScenario(env, name: "tsrows", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let original = workspace.directory + "/ts-original"
        let space = TestEnvironment.uniqueName("ts")
        try admin.execute("CREATE TABLESPACE \(space) LOCATION \(try admin.quoteLiteral(original))")
        // Over 2 MiB each, one in the data directory and one in the tablespace: their files are large enough for
        // the restore to write them directly, bypassing the page cache (EntryCopier).
        let large = [table + "_large", table + "_large_ts"]
        defer {  // before the scenario's teardown: the tables must go before their tablespace can
            for name in large { try? admin.execute("DROP TABLE IF EXISTS \(name)") }
            try? admin.execute("DROP TABLE IF EXISTS \(table)")
            try? admin.execute("DROP TABLESPACE IF EXISTS \(space)")
        }
        let oid = try XCTUnwrap(
            admin.query("SELECT oid::text FROM pg_tablespace WHERE spcname = $1", [space]).rows.first?[0] ?? nil)
        try admin.execute("CREATE TABLE \(table) (id integer PRIMARY KEY, batch text) TABLESPACE \(space)")
        try admin.execute("INSERT INTO \(table) SELECT i, 'A' FROM generate_series(1, 500) AS i")
        for (name, place) in zip(large, ["", " TABLESPACE \(space)"]) {
            try admin.execute(
                "CREATE TABLE \(name)\(place) AS SELECT i AS id, 'large' AS batch, md5(i::text) || md5((i * 3)::text) "
                    + "AS filler FROM generate_series(1, 30000) AS i")
        }
        let largePrints = try large.map { try rowFingerprint(admin, table: $0) }

        let snapshot = try workspace.lifeboat(["backup", "--type", "snapshot", "--json"])
        XCTAssertEqual(snapshot.status, 0, snapshot.output)
        let objects = try workspace.backupObjects()
        XCTAssertTrue(objects.contains { $0.hasSuffix("/base.tar.zst.lbx") }, "\(objects)")
        XCTAssertTrue(objects.contains { $0.hasSuffix("/tblspc-\(oid).tar.zst.lbx") }, "\(objects)")
        let shown = try workspace.lifeboat(["show", "latest", "--json"])
        let record = try XCTUnwrap(
            ((try workspace.json(shown)["snapshot"] as? [String: Any])?["tablespaces"] as? [[String: Any]])?.first,
            shown.stdout)
        XCTAssertEqual((record["oid"] as? Int).map(String.init), oid)
        XCTAssertEqual(record["location"] as? String, original)
        XCTAssertEqual(record["entry"] as? String, "tblspc-\(oid).tar")
        XCTAssertGreaterThan(record["size"] as? Int ?? 0, 0)
        let text = try workspace.lifeboat(["show", "latest"])
        XCTAssertTrue(text.stdout.contains("--tablespace-map") && text.stdout.contains(original), text.stdout)

        try admin.execute("INSERT INTO \(table) SELECT i, 'B' FROM generate_series(501, 800) AS i")
        try waitUntilArchived(admin, try scenario.switchWAL())

        let restored = workspace.directory + "/restored"
        let moved = workspace.directory + "/ts-moved"
        defer {
            stopServer(restored)
            withExtendedLifetime(workspace) {}
        }
        let refused = try workspace.lifeboat(["restore", "latest", "--data-dir", restored])
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(
            refused.stderr.contains("tablespace \(oid)") && refused.stderr.contains("--tablespace-map"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: restored), "a refused restore created the data directory")
        let unknown = try workspace.lifeboat([
            "restore", "latest", "--data-dir", restored, "--tablespace-map", "1=/nowhere",
        ])
        XCTAssertEqual(unknown.status, 2, unknown.output)
        // A link in place of the tablespace directory is never followed: the restore could be made to write elsewhere.
        let elsewhere = workspace.directory + "/ts-elsewhere"
        let linked = workspace.directory + "/ts-link"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: elsewhere)
        let viaLink = try workspace.lifeboat([
            "restore", "latest", "--data-dir", restored, "--tablespace-map", "\(oid)=\(linked)",
        ])
        XCTAssertEqual(viaLink.status, 2, viaLink.output)
        XCTAssertTrue(
            viaLink.stderr.contains("cannot restore tablespace \(oid) into '\(linked)'")
                && viaLink.stderr.contains("symbolic link"),
            viaLink.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: restored), "a refused restore created the data directory")

        let dry = try workspace.lifeboat([
            "restore", "latest", "--data-dir", restored, "--tablespace-map", "\(original)=\(moved)", "--dry-run",
            "--json",
        ])
        XCTAssertEqual(dry.status, 0, dry.output)
        let planned = try XCTUnwrap((try workspace.json(dry)["tablespaces"] as? [[String: Any]])?.first, dry.stdout)
        XCTAssertEqual(planned["directory"] as? String, moved)
        XCTAssertEqual(planned["mapped"] as? Bool, true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: moved))

        let port = try freePort()
        let restore = try workspace.lifeboat([
            "restore", "latest", "--data-dir", restored, "--tablespace-map", "\(oid)=\(moved)",
            "--start", "--port", String(port),
        ])
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertTrue(
            restore.stdout.contains("extract tablespace \(oid)") && restore.stdout.contains(moved), restore.stdout)
        XCTAssertEqual(try batches(port: port, table: table), ["A": 500, "B": 300])
        let server = try PGConnection(try ConnectionInfo("postgresql://postgres@127.0.0.1:\(port)/postgres"))
        defer { server.close() }
        XCTAssertEqual(
            try server.query("SELECT pg_tablespace_location(oid) FROM pg_tablespace WHERE spcname = $1", [space]).rows,
            [[moved]])
        XCTAssertEqual(try large.map { try rowFingerprint(server, table: $0) }, largePrints)
        let versionDirectories = try FileManager.default.contentsOfDirectory(atPath: moved)
        // The server's catalog version directory: PG_15_… on Debian's 15, PG_17_…/PG_18_… in the version matrix.
        let major = server.serverVersionNumber / 10000
        XCTAssertTrue(versionDirectories.contains { $0.hasPrefix("PG_\(major)_") }, "\(versionDirectories)")
        if getuid() == 0 {
            XCTAssertEqual(
                try FileManager.default.attributesOfItem(atPath: moved)[.ownerAccountName] as? String, "postgres")
        }

        // A snapshot drill of this cluster maps the tablespace into its scratch directory on its own (the
        // source location belongs to the live server) and finds every row.
        let drill = workspace.directory + "/ts-drill.yml"
        try
            "name: ts\nrestore: { type: snapshot }\nchecks:\n  sql:\n    - { name: rows, query: \"SELECT count(*) FROM \(table)\", expect: \"800\" }\n"
            .write(toFile: drill, atomically: true, encoding: .utf8)
        let drilled = try workspace.lifeboat(["drill", "run", drill])
        XCTAssertEqual(drilled.status, 0, drilled.output)
    }
}
