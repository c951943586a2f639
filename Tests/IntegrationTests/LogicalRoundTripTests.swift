// Backup → list → verify → restore → compare, row for row, against a real PostgreSQL 15.
import Foundation
import PGClient
import XCTest

final class LogicalRoundTripTests: XCTestCase {
    func testBackupVerifyRestoreReproducesEveryRow() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("src")
        let target = TestEnvironment.uniqueName("dst")
        defer { SampleDatabase.drop(env, source, target) }
        try SampleDatabase.create(env, name: source)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)

        let backup = try workspace.lifeboat(["backup", "--database", source, "--label", "nightly", "--json"])
        XCTAssertEqual(backup.status, 0, backup.output)
        let summary = try workspace.json(backup)
        let id = try XCTUnwrap(summary["id"] as? String)
        XCTAssertEqual(summary["databases"] as? [String], [source])
        XCTAssertEqual(summary["rows"] as? Int, 40_000 + 3 + 20_000)

        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        let backups = try XCTUnwrap(listing["backups"] as? [[String: Any]])
        XCTAssertEqual(backups.map { $0["id"] as? String }, [id])
        XCTAssertEqual(backups.first?["label"] as? String, "nightly")

        let shown = try workspace.lifeboat(["show", id])
        XCTAssertEqual(shown.status, 0, shown.output)
        XCTAssertTrue(shown.stdout.contains("billing.invoices"), shown.stdout)

        let verify = try workspace.lifeboat(["verify", id])
        XCTAssertEqual(verify.status, 0, verify.output)
        XCTAssertTrue(verify.stdout.contains("all intact"), verify.stdout)

        let restore = try workspace.lifeboat([
            "restore", "latest", "--database", source, "--target", env.url(database: target), "--json",
        ])
        XCTAssertEqual(restore.status, 0, restore.output)
        let result = try workspace.json(restore)
        XCTAssertEqual(result["rows_checked"] as? Int, 60_003)

        XCTAssertEqual(
            try SampleDatabase.fingerprints(env, database: target),
            try SampleDatabase.fingerprints(env, database: source))
    }

    func testRepositoryNeverContainsPlaintext() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("plain")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 2_000)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)

        let files = try workspace.repositoryFiles()
        XCTAssertGreaterThan(try workspace.backupObjects().count, 0)
        let needles = [SampleDatabase.marker, "Kunde 1 ", "customers", "billing", source].map { Data($0.utf8) }
        for (path, contents) in files where !path.hasPrefix("locks/") {
            for needle in needles {
                XCTAssertNil(
                    contents.range(of: needle),
                    "'\(String(decoding: needle, as: UTF8.self))' appears in plaintext in \(path)")
            }
        }
    }

    func testParallelRestoreAndCleanIntoExistingDatabase() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("par")
        let target = TestEnvironment.uniqueName("pardst")
        defer { SampleDatabase.drop(env, source, target) }
        try SampleDatabase.create(env, name: source, rows: 5_000)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)

        let first = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target), "--jobs", "2"])
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertEqual(
            try SampleDatabase.fingerprints(env, database: target),
            try SampleDatabase.fingerprints(env, database: source))

        // The target now has data: a second restore is refused and changes nothing …
        let refused = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target)])
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.stderr.contains("is not empty"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--clean"), refused.stderr)

        // … and --clean replaces the contents, even after the target drifted.
        let db = try PGConnection(try env.connectionInfo(database: target))
        try db.execute("DELETE FROM notes; INSERT INTO customers (id, name) VALUES (999999, 'stray')")
        db.close()
        let cleaned = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target), "--clean"])
        XCTAssertEqual(cleaned.status, 0, cleaned.output)
        XCTAssertEqual(
            try SampleDatabase.fingerprints(env, database: target),
            try SampleDatabase.fingerprints(env, database: source))
    }

    func testDryRunPrintsThePlanAndChangesNothing() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("dry")
        let target = TestEnvironment.uniqueName("drydst")
        defer { SampleDatabase.drop(env, source, target) }
        try SampleDatabase.create(env, name: source, rows: 100)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        XCTAssertEqual(try workspace.lifeboat(["backup"]).status, 0)

        // The default backup holds every database, so --database is required and the message says so.
        let ambiguous = try workspace.lifeboat([
            "restore", "latest", "--target", env.url(database: target), "--dry-run",
        ])
        XCTAssertEqual(ambiguous.status, 2, ambiguous.output)
        XCTAssertTrue(ambiguous.stderr.contains("--database"), ambiguous.stderr)

        let plan = try workspace.lifeboat([
            "restore", "latest", "--database", source, "--target", env.url(database: target), "--dry-run",
        ])
        XCTAssertEqual(plan.status, 0, plan.output)
        XCTAssertTrue(plan.stdout.contains("create database '\(target)'"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("nothing was changed"), plan.stdout)
        let admin = try env.admin()
        defer { admin.close() }
        XCTAssertTrue(try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [target]).rows.isEmpty)
    }

    func testGlobalsAreBackedUpAndRestored() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("glob")
        let target = TestEnvironment.uniqueName("globdst")
        let role = TestEnvironment.uniqueName("app_owner")
        let admin = try env.admin()
        defer {
            SampleDatabase.drop(env, source, target)
            try? admin.execute("DROP ROLE IF EXISTS \(role)")
            admin.close()
        }
        try SampleDatabase.create(env, name: source, rows: 100)
        try admin.execute("CREATE ROLE \(role) NOLOGIN")
        let db = try PGConnection(try env.connectionInfo(database: source))
        try db.execute("ALTER TABLE customers OWNER TO \(role)")
        db.close()
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)

        SampleDatabase.drop(env, source)
        try admin.execute("DROP ROLE \(role)")
        let restore = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target), "--globals"])
        XCTAssertEqual(restore.status, 0, restore.output)
        let owner = try PGConnection(try env.connectionInfo(database: target))
        defer { owner.close() }
        XCTAssertEqual(
            try owner.query("SELECT tableowner FROM pg_tables WHERE tablename = 'customers'").rows.first?[0], role)
    }
}
