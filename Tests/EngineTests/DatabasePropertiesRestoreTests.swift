// DatabasePropertiesRestoreTests: turning recorded database settings back into SQL for a target of another name —
// setconfig entries split like pg_dump, every name and value quoted, what is left out (the owner's grants, roles
// missing on the target), one transaction that is rolled back on failure — and the check that reads them back.
import Catalog
import PGClient
import PostgresTestSupport
import XCTest

@testable import Engine

final class DatabasePropertiesRestoreTests: XCTestCase {
    let quoteIdentifier = { (text: String) in ScriptedPostgres.quoteIdentifier(text) }
    let quoteLiteral = { (text: String) in ScriptedPostgres.quoteLiteral(text) }

    func clause(_ entry: String) throws -> String {
        try SettingAssignment(parsing: entry).clause(identifier: quoteIdentifier, literal: quoteLiteral)
    }

    // MARK: - setconfig entries

    func testPlainValueIsOneLiteral() throws {
        XCTAssertEqual(try clause("statement_timeout=5s"), "SET \"statement_timeout\" TO '5s'")
        XCTAssertEqual(try clause("TimeZone=Europe/Berlin"), "SET \"TimeZone\" TO 'Europe/Berlin'")
        XCTAssertEqual(try clause("app.tenant=it's"), "SET \"app.tenant\" TO 'it''s'")
        XCTAssertEqual(try clause("app.path=a=b"), "SET \"app.path\" TO 'a=b'", "only the first = separates")
        XCTAssertEqual(try clause("app.empty="), "SET \"app.empty\" TO ''")
        XCTAssertEqual(try clause("app.slash=c:\\x"), "SET \"app.slash\" TO  E'c:\\\\x'")
    }

    func testListValueIsSplitIntoLiterals() throws {
        XCTAssertEqual(
            try clause("search_path=\"$user\", app, \"we ird\""),
            "SET \"search_path\" TO '$user', 'app', 'we ird'")
        XCTAssertEqual(try clause("SEARCH_PATH=a"), "SET \"SEARCH_PATH\" TO 'a'", "names compare case-insensitively")
        XCTAssertEqual(try clause("search_path=\"\""), "SET \"search_path\" TO ''")
        XCTAssertEqual(try clause("temp_tablespaces=\"a\"\"b\",c"), "SET \"temp_tablespaces\" TO 'a\"b', 'c'")
    }

    func testSplitListFollowsPostgres() {
        XCTAssertEqual(SettingAssignment.splitList("  a ,b,  \"c d\"  "), ["a", "b", "c d"])
        XCTAssertEqual(SettingAssignment.splitList(""), [])
        XCTAssertEqual(SettingAssignment.splitList("\"x\"\"y\""), ["x\"y"])
        XCTAssertNil(SettingAssignment.splitList("a,"), "a trailing comma")
        XCTAssertNil(SettingAssignment.splitList("\"open"), "an unbalanced quote")
        XCTAssertNil(SettingAssignment.splitList("a b"), "two names without a comma")
        XCTAssertNil(SettingAssignment.splitList(",a"), "an empty bare name")
    }

    func testEntryWithoutNameIsRefused() {
        XCTAssertThrowsError(try SettingAssignment(parsing: "novalue"))
        XCTAssertThrowsError(try SettingAssignment(parsing: "=x"))
        XCTAssertThrowsError(try SettingAssignment(parsing: "search_path=\"broken"))
    }

    // MARK: - statements

    static let recorded = DatabaseProperties(
        settings: ["search_path=app, public", "statement_timeout=5s"],
        roleSettings: [
            .init(role: "app", settings: ["work_mem=8MB"]), .init(role: "gone", settings: ["work_mem=1MB"]),
        ],
        comment: "the shop's data",
        privileges: [
            .init(grantee: nil, privilege: "CONNECT", grantable: false),
            .init(grantee: "app", privilege: "TEMPORARY", grantable: true),
            .init(grantee: "postgres", privilege: "CONNECT", grantable: false),
            .init(grantee: "gone", privilege: "CONNECT", grantable: false),
        ])

    func emptyTarget(owner: String = "postgres") -> DatabasePropertiesQuery.Reading {
        let defaults: [DatabaseProperties.Privilege] = [
            .init(grantee: nil, privilege: "CONNECT", grantable: false),
            .init(grantee: nil, privilege: "TEMPORARY", grantable: false),
        ]
        return .init(
            properties: DatabaseProperties(settings: [], roleSettings: [], comment: nil, privileges: defaults),
            owner: owner)
    }

    func testStatementsNameTheTargetAndSkipWhatCannotApply() throws {
        let server = ScriptedPostgres()
        let session = server.session(database: "shop_restored")
        defer { session.close() }
        let restore = DatabasePropertiesRestore(
            recorded: Self.recorded, database: "shop_restored",
            restorePrivileges: true)
        let (sql, outcome) = try restore.statements(
            current: emptyTarget(), roles: ["postgres", "app"],
            session: session)
        XCTAssertEqual(
            sql,
            [
                "ALTER DATABASE \"shop_restored\" SET \"search_path\" TO 'app', 'public'",
                "ALTER DATABASE \"shop_restored\" SET \"statement_timeout\" TO '5s'",
                "ALTER ROLE \"app\" IN DATABASE \"shop_restored\" SET \"work_mem\" TO '8MB'",
                "COMMENT ON DATABASE \"shop_restored\" IS 'the shop''s data'",
                "REVOKE ALL ON DATABASE \"shop_restored\" FROM PUBLIC CASCADE",
                "GRANT CONNECT ON DATABASE \"shop_restored\" TO PUBLIC",
                "GRANT TEMPORARY ON DATABASE \"shop_restored\" TO \"app\" WITH GRANT OPTION",
            ])
        XCTAssertEqual(
            outcome.skipped,
            [
                "settings of role 'gone' (no such role on the target)",
                "CONNECT to 'gone' (no such role on the target)",
            ])
        XCTAssertEqual(outcome.expected.roleSettings.map(\.role), ["app"])
        XCTAssertEqual(outcome.expected.privileges.count, 2, "the owner's and the missing role's are not expected")
        XCTAssertTrue(outcome.checksPrivileges)
    }

    func testExistingSettingsAreResetAndWithoutPrivilegesNothingIsGranted() throws {
        let server = ScriptedPostgres()
        let session = server.session(database: "shop")
        defer { session.close() }
        var current = emptyTarget()
        current.properties.settings = ["work_mem=1MB"]
        current.properties.roleSettings = [.init(role: "other", settings: ["work_mem=2MB"])]
        let recorded = DatabaseProperties(
            settings: [], roleSettings: [], comment: nil,
            privileges: Self.recorded.privileges)
        let restore = DatabasePropertiesRestore(recorded: recorded, database: "shop", restorePrivileges: false)
        let (sql, outcome) = try restore.statements(current: current, roles: ["other"], session: session)
        XCTAssertEqual(
            sql,
            [
                "ALTER DATABASE \"shop\" RESET ALL",
                "ALTER ROLE \"other\" IN DATABASE \"shop\" RESET ALL",
                "COMMENT ON DATABASE \"shop\" IS NULL",
            ])
        XCTAssertFalse(outcome.checksPrivileges)
        XCTAssertEqual(outcome.expected.privileges, [])
    }

    func testUnknownPrivilegeIsRefusedNotPasted() throws {
        let server = ScriptedPostgres()
        let session = server.session(database: "shop")
        defer { session.close() }
        let recorded = DatabaseProperties(
            settings: [], roleSettings: [], comment: nil,
            privileges: [.init(grantee: "app", privilege: "ALL; DROP", grantable: false)])
        let restore = DatabasePropertiesRestore(recorded: recorded, database: "shop", restorePrivileges: true)
        XCTAssertThrowsError(try restore.statements(current: emptyTarget(), roles: ["app"], session: session)) {
            XCTAssertEqual(($0 as? EngineError)?.exitStatus, .failure)
        }
    }

    // MARK: - apply and check against a scripted server

    func scriptTarget(_ server: ScriptedPostgres, settings: [String], comment: String?) {
        server
            .expect(
                .sql(DatabasePropertiesQuery.settingsSQL), parameters: ["shop_restored"],
                returning: settings.map { [$0] }
            )
            .expect(.sql(DatabasePropertiesQuery.roleSettingsSQL), parameters: ["shop_restored"], returning: [])
            .expect(
                .sql(DatabasePropertiesQuery.databaseSQL), parameters: ["shop_restored"],
                returning: [[comment, "postgres", "-1", "false", "true"]]
            )
            .expect(.sql(DatabasePropertiesQuery.privilegesSQL), parameters: ["shop_restored"], returning: [])
    }

    func testFailedStatementRollsBackAndNamesTheSetting() throws {
        let server = ScriptedPostgres()
        scriptTarget(server, settings: [], comment: nil)
        server.expect("SELECT rolname FROM pg_roles", returning: [["postgres"]])
            .expectCommand("BEGIN")
            .expect(
                .prefix("ALTER DATABASE \"shop_restored\" SET"),
                failing: .queryFailed(sqlState: "42501", detail: "permission denied to set parameter")
            )
            .expectCommand("ROLLBACK")
        let session = server.session(database: "shop_restored")
        defer { session.close() }
        let recorded = DatabaseProperties(
            settings: ["session_preload_libraries=auto_explain"], roleSettings: [],
            comment: nil, privileges: [])
        let restore = DatabasePropertiesRestore(recorded: recorded, database: "shop_restored", restorePrivileges: true)
        XCTAssertThrowsError(try restore.apply(session)) { error in
            guard case EngineError.databaseSettingsFailed(let database, let detail)? = error as? EngineError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(database, "shop_restored")
            XCTAssertTrue(detail.contains("permission denied"), detail)
        }
        XCTAssertFalse(server.statements.contains("COMMIT"))
        XCTAssertEqual(server.statements.last, "ROLLBACK")
    }

    func testCheckNamesEveryDifferenceAsAnIntegrityFailure() throws {
        let server = ScriptedPostgres()
        scriptTarget(server, settings: ["statement_timeout=0"], comment: "changed")
        let session = server.session(database: "shop_restored")
        defer { session.close() }
        let recorded = DatabaseProperties(
            settings: ["statement_timeout=5s"], roleSettings: [], comment: "kept",
            privileges: [])
        let restore = DatabasePropertiesRestore(recorded: recorded, database: "shop_restored", restorePrivileges: true)
        let outcome = DatabasePropertiesRestore.Outcome(expected: recorded, checksPrivileges: true, skipped: [])
        XCTAssertThrowsError(try restore.check(session, expected: outcome)) { error in
            guard case EngineError.databaseSettingsMismatch(_, let differences)? = error as? EngineError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(
                differences,
                [
                    "settings are [statement_timeout=0], the backup has [statement_timeout=5s]",
                    "the comment differs from the backup's",
                ])
            XCTAssertEqual((error as? EngineError)?.exitStatus, .integrity)
        }
    }

    func testDifferencesIgnoreOrderAndUncheckedPrivileges() {
        let expected = DatabaseProperties(
            settings: ["a=1", "b=2"], roleSettings: [.init(role: "r", settings: ["x=1"])],
            comment: nil,
            privileges: [
                .init(
                    grantee: nil, privilege: "CONNECT",
                    grantable: false)
            ])
        var actual = expected
        actual.settings = ["b=2", "a=1"]
        actual.privileges = []
        let differences = { (actual: DatabaseProperties, privileges: Bool) in
            DatabasePropertiesRestore.differences(expected: expected, actual: actual, checkPrivileges: privileges)
        }
        XCTAssertEqual(differences(actual, false), [])
        XCTAssertEqual(differences(actual, true), ["privileges are [], the backup has [CONNECT to PUBLIC]"])
        actual.roleSettings = []
        XCTAssertEqual(differences(actual, false), ["settings of role 'r' are [], the backup has [x=1]"])
    }

    func testReadingGroupsRoleSettingsAndKeepsPublicApart() throws {
        let server = ScriptedPostgres()
        server
            .expect(.sql(DatabasePropertiesQuery.settingsSQL), parameters: ["shop"], returning: [["a=1"], ["b=2"]])
            .expect(
                .sql(DatabasePropertiesQuery.roleSettingsSQL), parameters: ["shop"],
                returning: [["app", "x=1"], ["app", "y=2"], ["PUBLIC", "z=3"]]
            )
            .expect(
                .sql(DatabasePropertiesQuery.databaseSQL), parameters: ["shop"],
                returning: [[nil, "owner", "12", "true", "false"]]
            )
            .expect(
                .sql(DatabasePropertiesQuery.privilegesSQL), parameters: ["shop"],
                returning: [[nil, "CONNECT", "false"], ["PUBLIC", "CREATE", "true"]])
        let session = server.session(database: "shop")
        defer { session.close() }
        let reading = try DatabasePropertiesQuery(session: session).read(database: "shop")
        XCTAssertEqual(reading.owner, "owner")
        XCTAssertEqual(
            reading.properties,
            DatabaseProperties(
                settings: ["a=1", "b=2"],
                roleSettings: [
                    .init(role: "app", settings: ["x=1", "y=2"]), .init(role: "PUBLIC", settings: ["z=3"]),
                ],
                comment: nil,
                privileges: [
                    .init(grantee: nil, privilege: "CONNECT", grantable: false),
                    .init(grantee: "PUBLIC", privilege: "CREATE", grantable: true),
                ],
                access: .init(connectionLimit: 12, isTemplate: true, allowConnections: false)))
    }

    // MARK: - connection limit, template and allow-connections flags

    func testAccessIsOneStatementWithAllThreeAndAnImpossibleLimitIsRefused() throws {
        let server = ScriptedPostgres()
        let session = server.session(database: "postgres")
        defer { session.close() }
        let access = DatabaseProperties.Access(connectionLimit: 40, isTemplate: true, allowConnections: false)
        XCTAssertEqual(
            try DatabaseAccessRestore(recorded: access, database: "shop \"2\"").statement(session),
            "ALTER DATABASE \"shop \"\"2\"\"\" WITH CONNECTION LIMIT 40 IS_TEMPLATE true ALLOW_CONNECTIONS false")
        let unlimited = DatabaseProperties.Access(connectionLimit: -1, isTemplate: false, allowConnections: true)
        XCTAssertEqual(
            try DatabaseAccessRestore(recorded: unlimited, database: "shop").statement(session),
            "ALTER DATABASE \"shop\" WITH CONNECTION LIMIT -1 IS_TEMPLATE false ALLOW_CONNECTIONS true")
        let impossible = DatabaseProperties.Access(connectionLimit: -2, isTemplate: false, allowConnections: true)
        XCTAssertThrowsError(try DatabaseAccessRestore(recorded: impossible, database: "shop").statement(session)) {
            XCTAssertEqual(($0 as? EngineError)?.exitStatus, .failure)
        }
    }

    func testAccessAppliedThenCheckedAndADifferenceIsAnIntegrityFailure() throws {
        let server = ScriptedPostgres()
        server.expect(
            .prefix("ALTER DATABASE \"shop_restored\" WITH CONNECTION LIMIT 40"),
            failing: .queryFailed(sqlState: "42501", detail: "must be owner of database shop_restored"))
        scriptTarget(server, settings: [], comment: nil)
        let session = server.session(database: "postgres")
        defer { session.close() }
        let access = DatabaseProperties.Access(connectionLimit: 40, isTemplate: false, allowConnections: true)
        let restore = DatabaseAccessRestore(recorded: access, database: "shop_restored")
        XCTAssertThrowsError(try restore.apply(session)) { error in
            guard case EngineError.databaseSettingsFailed(_, let detail)? = error as? EngineError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(detail.contains("must be owner"), detail)
        }
        // The scripted target has no limit: the check names both values, exit 4.
        XCTAssertThrowsError(try restore.check(session)) { error in
            guard case EngineError.databaseSettingsMismatch(_, let differences)? = error as? EngineError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(
                differences,
                [
                    "connection limit -1, is_template false, allow_connections true is set, the backup has "
                        + "connection limit 40, is_template false, allow_connections true"
                ])
            XCTAssertEqual((error as? EngineError)?.exitStatus, .integrity)
        }
    }

    func testPlanSaysWhatHappensToTheSettings() throws {
        let record = DatabaseRecord(
            name: "shop", object: "db-0001.tar.zst.lbx", dumpFormat: "pg_dump-custom",
            tables: [], properties: Self.recorded)
        let old = DatabaseRecord(name: "shop", object: "db-0001.tar.zst.lbx", dumpFormat: "pg_dump-custom", tables: [])
        var request = LogicalRestoreRequest(
            reference: "latest", database: "shop", target: nil, jobs: 1, clean: false,
            globals: false, noOwner: false)
        XCTAssertEqual(LogicalRestore.databaseSettingsMode(request, record), "apply")
        XCTAssertEqual(LogicalRestore.databaseSettingsMode(request, old), "not-recorded")
        XCTAssertEqual(
            LogicalRestore.databaseSettingsStep("apply", record: record, target: "t", noOwner: false),
            "set the database's 2 settings, the settings of 2 roles in it, its comment and 4 privileges "
                + "on 't' as recorded, and check them")
        XCTAssertEqual(
            LogicalRestore.databaseSettingsStep("not-recorded", record: old, target: "t", noOwner: false),
            "the backup predates recorded database settings: 't' keeps its own settings and privileges")
        request.databaseSettings = false
        XCTAssertEqual(LogicalRestore.databaseSettingsMode(request, record), "skip")
        XCTAssertNil(LogicalRestore.databaseSettingsStep("skip", record: record, target: "t", noOwner: false))
    }

    // MARK: - globals messages

    func testOnlyAlreadyExistsOfPreexistingRolesIsQuiet() {
        let messages = GlobalsMessages(existingRoles: ["postgres", "we\"ird"])
        let stderr = """
            ERROR:  role "postgres" already exists
            psql:<stdin>:7: ERROR:  role "we"ird" already exists
            ERROR:  role "app" already exists
            ERROR:  directory "/srv/ts1" does not exist
            psql:<stdin>:x: ERROR:  role "postgres" already exists
            WARNING:  role "postgres" already exists

            """
        XCTAssertEqual(
            messages.reportable(stderr),
            [
                "ERROR:  role \"app\" already exists",
                "ERROR:  directory \"/srv/ts1\" does not exist",
                "psql:<stdin>:x: ERROR:  role \"postgres\" already exists",
                "WARNING:  role \"postgres\" already exists",
            ])
    }
}
