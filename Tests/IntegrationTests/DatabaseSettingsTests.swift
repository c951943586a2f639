// The whole database back: ALTER DATABASE … SET, ALTER ROLE … IN DATABASE … SET, the database comment, its
// privileges and its connection limit survive a logical backup and a restore into a database of another name
// (with and without --globals), are left alone with --no-database-settings, and a --globals restore is quiet
// about roles that already exist.
import Foundation
import PGClient
import XCTest

final class DatabaseSettingsTests: XCTestCase {
    /// What a database carries besides its objects, in a comparable form.
    struct Properties: Equatable {
        var settings: [String]
        var roleSettings: [String]
        var comment: String?
        var privileges: [String]
        /// Connection limit, template and allow-connections flags.
        var access: String
    }

    static func properties(_ env: TestEnvironment, database: String, role: String) throws -> Properties {
        let admin = try env.admin()
        defer { admin.close() }
        let settings = try admin.query(
            """
            SELECT unnest(setconfig) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
            WHERE d.datname = $1 AND s.setrole = 0 ORDER BY 1
            """, [database]
        ).rows.compactMap { $0[0] }
        let roleSettings = try admin.query(
            """
            SELECT unnest(setconfig) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
            JOIN pg_roles r ON r.oid = s.setrole WHERE d.datname = $1 AND r.rolname = $2 ORDER BY 1
            """, [database, role]
        ).rows.compactMap { $0[0] }
        let comment =
            try admin.query(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
                [database]
            ).rows.first?[0] ?? nil
        let privileges = try admin.query(
            """
            SELECT coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC') || ':' || a.privilege_type
                   || CASE WHEN a.is_grantable THEN '*' ELSE '' END
            FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
            WHERE d.datname = $1 AND a.grantee <> d.datdba ORDER BY 1
            """, [database]
        ).rows.compactMap { $0[0] }
        let access =
            try admin.query(
                "SELECT datconnlimit || ' ' || datistemplate || ' ' || datallowconn FROM pg_database WHERE datname = $1",
                [database]
            ).rows.first?[0] ?? nil
        return Properties(
            settings: settings, roleSettings: roleSettings, comment: comment, privileges: privileges,
            access: access ?? "none")
    }

    /// A small database with settings of every kind, and a role that has some in it.
    func makeSource(_ env: TestEnvironment, name: String, role: String) throws {
        try SampleDatabase.create(env, name: name, rows: 50)
        let admin = try env.admin()
        defer { admin.close() }
        for statement in [
            "CREATE ROLE \(role) LOGIN",
            "ALTER DATABASE \(name) SET search_path = \"$user\", app, \"odd schema\", public",
            "ALTER DATABASE \(name) SET timezone = 'America/New_York'",
            "ALTER DATABASE \(name) SET statement_timeout = '7s'",
            "ALTER DATABASE \(name) SET \"lifeboat.tenant\" = 'it''s a \\ test'",
            "COMMENT ON DATABASE \(name) IS 'the shop''s data'",
            "REVOKE TEMPORARY ON DATABASE \(name) FROM PUBLIC",
            "GRANT CONNECT ON DATABASE \(name) TO \(role)",
            "GRANT TEMPORARY ON DATABASE \(name) TO \(role) WITH GRANT OPTION",
            "ALTER ROLE \(role) IN DATABASE \(name) SET work_mem = '8MB'",
            "ALTER DATABASE \(name) CONNECTION LIMIT 7",
        ] { try admin.execute(statement) }
    }

    func dropRole(_ env: TestEnvironment, _ role: String) {
        guard let admin = try? env.admin() else { return }
        defer { admin.close() }
        try? admin.execute("DROP ROLE IF EXISTS \(role)")
    }

    func testSettingsCommentAndPrivilegesFollowTheDatabaseToItsNewName() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("dbset")
        let target = TestEnvironment.uniqueName("dbset_restored")
        let role = TestEnvironment.uniqueName("dbset_role")
        defer {
            SampleDatabase.drop(env, source, target)
            dropRole(env, role)
        }
        try makeSource(env, name: source, role: role)
        let expected = try Self.properties(env, database: source, role: role)
        XCTAssertEqual(expected.settings.count, 4)
        XCTAssertEqual(expected.roleSettings, ["work_mem=8MB"])
        XCTAssertTrue(expected.privileges.contains("\(role):TEMPORARY*"), "\(expected.privileges)")
        XCTAssertEqual(expected.access, "7 false true")
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        let backup = try workspace.lifeboat(["backup", "--database", source])
        XCTAssertEqual(backup.status, 0, backup.output)

        let restore = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target), "--json"])
        XCTAssertEqual(restore.status, 0, restore.output)
        let result = try workspace.json(restore)
        let plan = try XCTUnwrap(result["plan"] as? [String: Any])
        XCTAssertEqual(plan["database_settings"] as? String, "apply")
        XCTAssertEqual(result["database_settings_skipped"] as? [String], [])
        XCTAssertEqual(try Self.properties(env, database: target, role: role), expected)
        XCTAssertEqual(try Self.properties(env, database: source, role: role), expected, "the source is untouched")

        // A session in the restored database runs with the source's settings.
        let session = try PGConnection(try env.connectionInfo(database: target))
        defer { session.close() }
        XCTAssertEqual(try session.query("SHOW statement_timeout").rows.first?[0], "7s")
        XCTAssertEqual(try session.query("SHOW TimeZone").rows.first?[0], "America/New_York")
        XCTAssertEqual(try session.query("SHOW search_path").rows.first?[0], "\"$user\", app, \"odd schema\", public")
    }

    func testGlobalsRestoreRecreatesTheRoleWithItsSettingsQuietly() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("dbglob")
        let target = TestEnvironment.uniqueName("dbglob_restored")
        let role = TestEnvironment.uniqueName("dbglob_role")
        defer {
            SampleDatabase.drop(env, source, target)
            dropRole(env, role)
        }
        try makeSource(env, name: source, role: role)
        let expected = try Self.properties(env, database: source, role: role)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        let backup = try workspace.lifeboat(["backup", "--database", source])
        XCTAssertEqual(backup.status, 0, backup.output)

        // The role's privileges and settings live in the source database: both go before the role can.
        SampleDatabase.drop(env, source)
        dropRole(env, role)
        let restore = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target), "--globals"])
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertFalse(restore.stderr.contains("already exists"), restore.stderr)
        XCTAssertFalse(restore.stderr.contains("globals restored with messages"), restore.stderr)
        XCTAssertEqual(try Self.properties(env, database: target, role: role), expected)
    }

    func testNoDatabaseSettingsLeavesTheTargetAsCreated() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("dbskip")
        let target = TestEnvironment.uniqueName("dbskip_restored")
        let role = TestEnvironment.uniqueName("dbskip_role")
        defer {
            SampleDatabase.drop(env, source, target)
            dropRole(env, role)
        }
        try makeSource(env, name: source, role: role)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)

        let restore = try workspace.lifeboat([
            "restore", "latest", "--target", env.url(database: target),
            "--no-database-settings", "--json",
        ])
        XCTAssertEqual(restore.status, 0, restore.output)
        let result = try workspace.json(restore)
        let plan = try XCTUnwrap(result["plan"] as? [String: Any])
        XCTAssertEqual(plan["database_settings"] as? String, "skip")
        XCTAssertEqual(result["rows_checked"] as? Int, 50 + 3 + 25)
        let restored = try Self.properties(env, database: target, role: role)
        XCTAssertEqual(restored.settings, [])
        XCTAssertEqual(restored.roleSettings, [])
        XCTAssertEqual(restored.privileges, ["PUBLIC:CONNECT", "PUBLIC:TEMPORARY"], "a new database's defaults")
        XCTAssertEqual(restored.access, "-1 false true", "a new database's defaults")
        XCTAssertTrue(restored.comment?.hasPrefix("restored by lifeboat from backup") ?? false, "\(restored)")
        // (Row digests are not compared here: the source's timezone setting changes how its timestamps print,
        // which is exactly the difference this flag keeps.)
    }

    /// A role that may load data into an existing database it does not own cannot change that database's settings,
    /// comment or privileges: the restore says so before it loads anything (exit 2), not after the data load.
    func testARoleThatDoesNotOwnTheTargetIsToldBeforeAnythingIsLoaded() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("dbown")
        let target = TestEnvironment.uniqueName("dbown_restored")
        let role = TestEnvironment.uniqueName("dbown_role")
        let restorer = TestEnvironment.uniqueName("dbown_restorer")
        defer {
            SampleDatabase.drop(env, source, target)
            dropRole(env, role)
            dropRole(env, restorer)
        }
        try makeSource(env, name: source, role: role)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)
        let admin = try env.admin()
        try admin.execute("CREATE ROLE \(restorer) LOGIN")
        try admin.execute("CREATE DATABASE \(target)")  // owned by the admin, not by the restoring role
        admin.close()

        let url = env.url(database: target).replacingOccurrences(of: "//postgres@", with: "//\(restorer)@")
        XCTAssertNotEqual(url, env.url(database: target), "the test server's URL names the postgres user")
        let restore = try workspace.lifeboat(["restore", "latest", "--target", url])
        XCTAssertEqual(restore.status, 2, restore.output)
        XCTAssertTrue(restore.stderr.contains("cannot give database '\(target)' its recorded settings"), restore.stderr)
        XCTAssertTrue(restore.stderr.contains("--no-database-settings"), restore.stderr)
        let check = try PGConnection(try env.connectionInfo(database: target))
        defer { check.close() }
        let relations = try check.query(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            """
        ).rows.first?[0]
        XCTAssertEqual(relations, "0", "nothing was loaded")
    }
}
