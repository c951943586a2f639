// Parallel logical backup and restore against a real PostgreSQL: a database of many tables of mixed types, large
// objects and database settings goes through `backup --jobs 2` and `restore --jobs 2` and comes back equal, with
// no local copy of the dump (TMPDIR stays empty; during the restore it holds only the table of contents and
// pipes); a tampered data object is exit 4 and leaves no database; a one-job (custom-format) backup still restores
// with --jobs 2, with one job.
import Foundation
import PGClient
import XCTest

final class ParallelLogicalTests: XCTestCase {
    static let tableCount = 60

    /// 60 tables in four shapes, a few hundred rows each (one a few thousand), two large objects, an unlogged
    /// table, a schema of its own, and database-level settings.
    static func createManyTables(_ env: TestEnvironment, name: String) throws {
        let admin = try env.admin()
        defer { admin.close() }
        try admin.execute("DROP DATABASE IF EXISTS \(name)")
        try admin.execute("CREATE DATABASE \(name)")
        try admin.execute("ALTER DATABASE \(name) SET timezone TO 'Asia/Tokyo'")
        try admin.execute("ALTER DATABASE \(name) SET statement_timeout TO '7s'")
        let db = try PGConnection(try env.connectionInfo(database: name))
        defer { db.close() }
        try db.execute(
            """
            CREATE SCHEMA shop;
            DO $$
            DECLARE i int; n int;
            BEGIN
              FOR i IN 1..\(tableCount) LOOP
                n := CASE WHEN i = 7 THEN 5000 ELSE 200 + i * 5 END;
                CASE i % 4
                WHEN 0 THEN
                  EXECUTE format('CREATE TABLE shop.t%s (id bigint PRIMARY KEY, name text, at timestamptz, '
                    || 'price numeric(12,2))', i);
                  EXECUTE format('INSERT INTO shop.t%s SELECT g, ''Zoë '' || md5(g::text), '
                    || 'timestamptz ''2024-01-01 00:00+00'' + g * interval ''1 hour'', g / 3.0 '
                    || 'FROM generate_series(1, %s) g', i, n);
                WHEN 1 THEN
                  EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, doc jsonb, tags text[])', i);
                  EXECUTE format('INSERT INTO t%s SELECT g, jsonb_build_object(''k'', g, ''ü'', md5(g::text)), '
                    || 'ARRAY[''a'' || g, NULL] FROM generate_series(1, %s) g', i, n);
                WHEN 2 THEN
                  EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, b bytea, d date, f float8)', i);
                  EXECUTE format('INSERT INTO t%s SELECT g, decode(md5(g::text), ''hex''), '
                    || 'date ''2020-02-29'' + g, g * 0.5 FROM generate_series(1, %s) g', i, n);
                ELSE
                  EXECUTE format('CREATE TABLE t%s (id int, parent int, note text)', i);
                  EXECUTE format('INSERT INTO t%s SELECT g, g / 2, CASE WHEN g %% 5 = 0 THEN NULL '
                    || 'ELSE repeat(''x'', g %% 40) END FROM generate_series(1, %s) g', i, n);
                  EXECUTE format('CREATE INDEX ON t%s (parent)', i);
                END CASE;
              END LOOP;
            END $$;
            CREATE UNLOGGED TABLE scratch_cache (k text PRIMARY KEY, v text);
            INSERT INTO scratch_cache VALUES ('a', 'b');
            SELECT lo_from_bytea(0, convert_to('first large object ' || repeat('y', 3000), 'UTF8'));
            SELECT lo_from_bytea(0, convert_to('second', 'UTF8'));
            """)
    }

    /// Every user table's row count and digest, the large objects' contents, and the database's own settings.
    static func contents(_ env: TestEnvironment, database: String) throws -> [String: String] {
        let db = try PGConnection(try env.connectionInfo(database: database))
        defer { db.close() }
        var result: [String: String] = [:]
        let tables = try db.query(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                + "AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        ).rows.compactMap { $0[0] ?? nil }
        for table in tables {
            let print = try SampleDatabase.fingerprint(db, table)
            result[table] = "\(print.rows) \(print.digest)"
        }
        result["large objects"] =
            try db.query(
                "SELECT string_agg(md5(lo_get(oid)), ',' ORDER BY md5(lo_get(oid))) FROM pg_largeobject_metadata"
            ).rows.first?[0] ?? "none"
        result["settings"] =
            try db.query(
                "SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s JOIN pg_database d "
                    + "ON d.oid = s.setdatabase WHERE d.datname = current_database() AND s.setrole = 0"
            ).rows.first?[0] ?? "none"
        return result
    }

    func testManyTablesRoundTripInParallelWithoutALocalCopy() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("many")
        let target = TestEnvironment.uniqueName("manydst")
        let tampered = TestEnvironment.uniqueName("manybad")
        defer { SampleDatabase.drop(env, source, target, tampered) }
        try Self.createManyTables(env, name: source)
        let expected = try Self.contents(env, database: source)
        XCTAssertEqual(expected.count, Self.tableCount + 1 + 2, expected.keys.sorted().description)
        let workspace = try Workspace(env, name: "parallel")
        try workspace.initialize(database: source)
        let scratch = workspace.directory + "/tmpdir"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)

        let backup = try workspace.lifeboat(
            ["backup", "--database", source, "--jobs", "2", "--json"], environment: ["TMPDIR": scratch])
        XCTAssertEqual(backup.status, 0, backup.output)
        let summary = try workspace.json(backup)
        // One object per table's data file, the large objects and their list, the table of contents, the globals.
        XCTAssertGreaterThanOrEqual(summary["objects"] as? Int ?? 0, Self.tableCount + 5)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
        XCTAssertEqual(try workspace.lifeboat(["verify", "latest"]).status, 0)

        // The restore's local files, watched while it runs: pipes and the table of contents only.
        let watcher = LocalFileWatcher(directory: scratch)
        let restore = try workspace.lifeboat(
            [
                "restore", "latest", "--database", source, "--target", env.url(database: target), "--jobs", "2",
                "--json",
            ],
            environment: ["TMPDIR": scratch])
        let seen = watcher.stop()
        XCTAssertEqual(restore.status, 0, restore.output)
        let plan = (try workspace.json(restore))["plan"] as? [String: Any]
        XCTAssertEqual(plan?["mode"] as? String, "parallel")
        XCTAssertGreaterThan(seen.pipes, Self.tableCount, "the restore was not fed through pipes")
        XCTAssertEqual(seen.regularFiles, ["toc.dat"], "files other than the table of contents were written")
        XCTAssertLessThan(seen.largestRegularFile, 256 * 1024)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
        XCTAssertEqual(try Self.contents(env, database: target), expected)

        // One table's data object damaged: exit 4 naming it, and the new database is not left behind.
        let backups = workspace.repository + "/backups/main"
        let newest = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: backups).sorted().last)
        let objects = try FileManager.default.contentsOfDirectory(atPath: backups + "/" + newest)
        let victim = try XCTUnwrap(objects.sorted().first { $0.hasPrefix("db-0001-") && $0.contains(".dat.") })
        let path = backups + "/" + newest + "/" + victim
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var damaged = original
        damaged[damaged.count - 20] ^= 0x40
        try damaged.write(to: URL(fileURLWithPath: path))
        let bad = try workspace.lifeboat(
            ["restore", "latest", "--database", source, "--target", env.url(database: tampered), "--jobs", "2"],
            environment: ["TMPDIR": scratch])
        XCTAssertEqual(bad.status, 4, bad.output)
        XCTAssertTrue(bad.stderr.contains(victim), bad.stderr)
        let admin = try env.admin()
        defer { admin.close() }
        XCTAssertTrue(try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [tampered]).rows.isEmpty)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
        try original.write(to: URL(fileURLWithPath: path))

        // A one-job backup is one custom-format stream: --jobs 2 restores it with one job and says so.
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)
        SampleDatabase.drop(env, target)
        let single = try workspace.lifeboat(
            ["restore", "latest", "--database", source, "--target", env.url(database: target), "--jobs", "2"])
        XCTAssertEqual(single.status, 0, single.output)
        XCTAssertTrue(single.stdout.contains("one job, not 2"), single.stdout)
        XCTAssertEqual(try Self.contents(env, database: target), expected)
    }
}

/// Samples a directory tree every few milliseconds: which regular files appear (by name), the largest one, and how
/// many named pipes.
final class LocalFileWatcher: @unchecked Sendable {
    struct Seen {
        var regularFiles: Set<String> = []
        var largestRegularFile: Int64 = 0
        var pipes = 0
    }

    // `seen` and `running` are guarded by `lock`.
    private let lock = NSLock()
    private var seen = Seen()
    private var pipeNames: Set<String> = []
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(directory: String) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                sample(directory)
                usleep(2000)
            }
            done.signal()
        }
    }

    func stop() -> Seen {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock {
            var result = seen
            result.pipes = pipeNames.count
            return result
        }
    }

    private func sample(_ directory: String) {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return }
        while let relative = walker.nextObject() as? String {
            var info = stat()
            guard lstat(directory + "/" + relative, &info) == 0 else { continue }
            let name = (relative as NSString).lastPathComponent
            let kind = info.st_mode & S_IFMT
            lock.withLock {
                if kind == S_IFREG {
                    seen.regularFiles.insert(name)
                    seen.largestRegularFile = max(seen.largestRegularFile, Int64(info.st_size))
                } else if kind == S_IFIFO {
                    pipeNames.insert(name)
                }
            }
        }
    }
}
