// Fidelity of a logical restore: a database of unusual objects (Fixtures/unusual-objects.sql: extensions, types,
// inheritance and partitions, generated and identity columns, exclusion and deferrable constraints, rules,
// triggers, an event trigger, policies, operators, casts, text search, materialized views, publications, large
// objects with comments and privileges, default privileges, …) restored by lifeboat with one job and with two
// must be what pg_restore makes of a `pg_dump -Fc` of the same source: the same schema (pg_dump --schema-only,
// only the database name differing), the same data, and — what pg_restore without --create leaves out — the
// source's database settings, comment, privileges and connection limit.
import Foundation
import PGClient
import TestSupport
import XCTest

final class LogicalFidelityTests: XCTestCase {
    /// The roles the fixture's objects belong to and are granted to (cluster-wide, so unique per run).
    struct Roles {
        let owner = TestEnvironment.uniqueName("fx_owner")
        let reader = TestEnvironment.uniqueName("fx_reader")
    }

    static var fixture: String {
        get throws {
            try XCTUnwrap(
                Bundle.module.url(forResource: "unusual-objects", withExtension: "sql", subdirectory: "Fixtures")
            ).path
        }
    }

    static func tool(_ name: String) -> String { TestEnvironment.pgBin + "/" + name }

    /// Runs a PostgreSQL client tool, failing the test with its output when it fails. Sessions run in UTC with ISO
    /// dates whatever the database's own settings say (pg_dump prints timestamptz defaults in the session's zone).
    @discardableResult
    static func run(_ name: String, _ arguments: [String]) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["PGTZ"] = "UTC"
        environment["PGDATESTYLE"] = "ISO, MDY"
        let result = try ProcessRunner.run(tool(name), arguments, environment: environment)
        XCTAssertEqual(result.status, 0, "\(name) \(arguments.joined(separator: " ")): \(result.stderr)")
        guard result.status == 0 else { throw XCTSkip("\(name) failed") }
        return result.stdout
    }

    /// The source: the fixture, owned by and granted to `roles`, with database-level settings of every kind.
    func makeSource(_ env: TestEnvironment, name: String, roles: Roles) throws {
        let admin = try env.admin()
        defer { admin.close() }
        try admin.execute("CREATE ROLE \(roles.owner)")
        try admin.execute("CREATE ROLE \(roles.reader)")
        try admin.execute("CREATE DATABASE \(name) TEMPLATE template0")
        try Self.run(
            "psql",
            [
                "-X", "-q", "-o", "/dev/null", "-v", "ON_ERROR_STOP=1", "-v", "owner=\(roles.owner)", "-v",
                "reader=\(roles.reader)", "-d", env.url(database: name), "-f", try Self.fixture,
            ])
        for statement in [
            "ALTER DATABASE \(name) SET timezone TO 'Asia/Tokyo'",
            "ALTER DATABASE \(name) SET search_path TO fx, public, ext",
            "ALTER ROLE \(roles.reader) IN DATABASE \(name) SET work_mem TO '4MB'",
            "COMMENT ON DATABASE \(name) IS 'unusual objects'",
            "GRANT CONNECT, TEMPORARY ON DATABASE \(name) TO \(roles.reader)",
            "REVOKE TEMPORARY ON DATABASE \(name) FROM PUBLIC",
            "ALTER DATABASE \(name) CONNECTION LIMIT 40",
        ] { try admin.execute(statement) }
    }

    /// pg_dump --schema-only of `database`, its name replaced by a placeholder (the only difference allowed).
    static func schema(_ env: TestEnvironment, _ database: String) throws -> String {
        let dump = try run(
            "pg_dump", ["--schema-only", "--restrict-key=fidelity", "--dbname", env.url(database: database)])
        return dump.replacingOccurrences(of: database, with: "<database>")
    }

    /// Every table's and populated materialized view's rows (count and digest, in one fixed session setting), the
    /// sequences' positions and the large objects with their comments and privileges.
    static func data(_ env: TestEnvironment, _ database: String) throws -> [String: String] {
        let db = try PGConnection(try env.connectionInfo(database: database))
        defer { db.close() }
        for setting in [
            "timezone TO 'UTC'", "DateStyle TO 'ISO, MDY'", "IntervalStyle TO postgres", "extra_float_digits TO 3",
            "search_path TO pg_catalog", "row_security TO off",
        ] { try db.execute("SET \(setting)") }
        var result: [String: String] = [:]
        let relations = try db.query(
            """
            SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated))
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1
            """
        ).rows.compactMap { $0[0] ?? nil }
        for relation in relations {
            let print = try SampleDatabase.fingerprint(db, "ONLY " + relation)
            result[relation] = "\(print.rows) \(print.digest)"
        }
        let sequences = try db.query(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences ORDER BY 1"
        ).rows.compactMap { $0[0] ?? nil }
        for sequence in sequences {
            result[sequence] =
                try db.query("SELECT last_value || ' ' || is_called FROM \(sequence)").rows.first?[0]
                ?? "unreadable"
        }
        result["large objects"] =
            try db.query(
                """
                SELECT string_agg(m.oid || ' ' || md5(lo_get(m.oid)) || ' ' || pg_get_userbyid(m.lomowner) || ' '
                       || coalesce(m.lomacl::text, '-') || ' ' || coalesce(obj_description(m.oid, 'pg_largeobject'), '-'),
                       ',' ORDER BY m.oid)
                FROM pg_largeobject_metadata m
                """
            ).rows.first?[0] ?? "none"
        return result
    }

    /// What lives on the database itself rather than in it: settings, per-role settings, comment, privileges,
    /// connection limit, template and allow-connections flags (owner-independent: grants of the owner left out).
    static func databaseProperties(_ env: TestEnvironment, _ database: String) throws -> [String] {
        let admin = try env.admin()
        defer { admin.close() }
        return try admin.query(
            """
            SELECT 'setting ' || coalesce(r.rolname, '-') || ' ' || s FROM pg_db_role_setting x
              JOIN pg_database d ON d.oid = x.setdatabase LEFT JOIN pg_roles r ON r.oid = x.setrole,
              unnest(x.setconfig) s WHERE d.datname = $1
            UNION ALL SELECT 'comment ' || coalesce(shobj_description(oid, 'pg_database'), '-')
              FROM pg_database WHERE datname = $1
            UNION ALL SELECT 'privilege ' || coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC') || ' '
                   || a.privilege_type || ' ' || a.is_grantable
              FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
              WHERE d.datname = $1 AND a.grantee <> d.datdba
            UNION ALL SELECT 'access ' || datconnlimit || ' ' || datistemplate || ' ' || datallowconn
              FROM pg_database WHERE datname = $1
            ORDER BY 1
            """, [database]
        ).rows.compactMap { $0[0] ?? nil }
    }

    func testUnusualObjectsRestoreAsPgRestoreRestoresThem() throws {
        let env = try TestEnvironment.require()
        let roles = Roles()
        let source = TestEnvironment.uniqueName("fidelity")
        let reference = source + "_pg_restore"
        let oneJob = source + "_jobs1"
        let twoJobs = source + "_jobs2"
        defer {
            SampleDatabase.drop(env, source, reference, oneJob, twoJobs)
            if let admin = try? env.admin() {
                for role in [roles.owner, roles.reader] { try? admin.execute("DROP ROLE IF EXISTS \(role)") }
                admin.close()
            }
        }
        try makeSource(env, name: source, roles: roles)
        let workspace = try Workspace(env, name: "fidelity")
        try workspace.initialize(database: source)

        // pg_restore's own result, from a custom-format dump, into a database created as lifeboat creates one.
        let dumpFile = workspace.directory + "/source.dump"
        try Self.run("pg_dump", ["--format=custom", "--file", dumpFile, "--dbname", env.url(database: source)])
        let admin = try env.admin()
        try admin.execute("CREATE DATABASE \(reference) TEMPLATE template0")
        admin.close()
        try Self.run("pg_restore", ["--exit-on-error", "--dbname", env.url(database: reference), dumpFile])

        // lifeboat: a one-job backup restored with one job, a two-job backup restored with two.
        for (jobs, target) in [("1", oneJob), ("2", twoJobs)] {
            let backup = try workspace.lifeboat(["backup", "--database", source, "--jobs", jobs])
            XCTAssertEqual(backup.status, 0, backup.output)
            let restore = try workspace.lifeboat(
                [
                    "restore", "latest", "--database", source, "--target", env.url(database: target), "--jobs", jobs,
                    "--json",
                ])
            XCTAssertEqual(restore.status, 0, restore.output)
            XCTAssertFalse(restore.stderr.contains("warning"), restore.stderr)
            let plan = (try workspace.json(restore))["plan"] as? [String: Any]
            XCTAssertEqual(plan?["mode"] as? String, jobs == "1" ? "stream" : "parallel")
        }

        let expectedSchema = try Self.schema(env, reference)
        XCTAssertTrue(expectedSchema.contains("CREATE EVENT TRIGGER fx_ddl"), "the fixture did not load")
        XCTAssertEqual(try Self.schema(env, source), expectedSchema, "pg_restore's result differs from its source")
        let expectedData = try Self.data(env, source)
        XCTAssertEqual(try Self.data(env, reference), expectedData)
        let expectedProperties = try Self.databaseProperties(env, source)
        XCTAssertTrue(expectedProperties.contains("access 40 false true"), "\(expectedProperties)")
        for target in [oneJob, twoJobs] {
            let schema = try Self.schema(env, target)
            XCTAssertEqual(
                schema, expectedSchema, "schema of \(target): \(Self.firstDifference(schema, expectedSchema))")
            XCTAssertEqual(try Self.data(env, target), expectedData, target)
            XCTAssertEqual(try Self.databaseProperties(env, target), expectedProperties, target)
        }
    }

    /// The first differing line of two texts, with its number, for a readable failure.
    static func firstDifference(_ actual: String, _ expected: String) -> String {
        let left = actual.components(separatedBy: "\n")
        let right = expected.components(separatedBy: "\n")
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : "<end>"
            let b = index < right.count ? right[index] : "<end>"
            if a != b { return "line \(index + 1): '\(a)' instead of '\(b)'" }
        }
        return "none"
    }
}
