// RestoreTargetInspectionTests: what a logical restore asks the target server before it touches anything — does
// the database exist, is it empty, is it the leftover of a killed restore — and what its plan concludes: create it,
// use it, or refuse (unless --clean).
import Catalog
import Diagnostics
import PGClient
import PostgresTestSupport
import XCTest

@testable import Engine

final class RestoreTargetInspectionTests: XCTestCase {
    static let target = "postgresql://postgres@db2.example:5433/shop_restored"
    static let existsQuery: ScriptedPostgres.Pattern = "SELECT 1 FROM pg_database WHERE datname = $1"
    static let relationsQuery: ScriptedPostgres.Pattern = .prefix(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace")
    static let commentQuery: ScriptedPostgres.Pattern = .prefix(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
            + "WHERE datname = current_database()")
    static let tables = [
        TableCount(schema: "public", table: "orders", rows: 1200),
        TableCount(schema: "public", table: "customers", rows: 300),
    ]

    func request(target: String? = RestoreTargetInspectionTests.target, clean: Bool = false) -> LogicalRestoreRequest {
        LogicalRestoreRequest(
            reference: "latest", database: "shop", target: target, jobs: 1, clean: clean,
            globals: false, noOwner: false)
    }

    /// The plan the restore would show (the engine's plan step, without running anything).
    func plan(_ fixture: PostgresSeamFixture, _ request: LogicalRestoreRequest) throws -> LogicalRestoreSummary {
        let restore = LogicalRestore(context: fixture.context, repository: fixture.repository, keyring: fixture.keyring)
        return try restore.plan(request).summary
    }

    func fixtureWithBackup() throws -> PostgresSeamFixture {
        let fixture = try PostgresSeamFixture()
        try fixture.commitLogicalBackup(database: "shop", tables: Self.tables)
        return fixture
    }

    func testMissingDatabaseIsCreated() throws {
        let fixture = try fixtureWithBackup()
        fixture.server.expect(Self.existsQuery, parameters: ["shop_restored"], database: "postgres", returning: [])
        let plan = try plan(fixture, request())
        XCTAssertTrue(plan.createDatabase)
        XCTAssertEqual(plan.targetDatabase, "shop_restored")
        XCTAssertEqual(plan.target, "postgres@db2.example:5433/shop_restored")
        XCTAssertEqual(plan.steps.first, "create database 'shop_restored'")
        XCTAssertEqual(plan.steps.last, "compare row counts of 2 tables (1500 rows) with the backup")
        XCTAssertEqual(
            fixture.server.connections.map(\.database), ["postgres"],
            "only the maintenance database was asked")
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    func testEmptyExistingDatabaseIsUsed() throws {
        let fixture = try fixtureWithBackup()
        fixture.server
            .expect(Self.existsQuery, parameters: ["shop_restored"], database: "postgres", returning: [["1"]])
            .expect(Self.relationsQuery, database: "shop_restored", returning: [["0"]])
        let plan = try plan(fixture, request())
        XCTAssertFalse(plan.createDatabase)
        XCTAssertEqual(plan.steps.first, "use existing database 'shop_restored'")
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    func testDatabaseWithRelationsIsRefusedWithoutClean() throws {
        let fixture = try fixtureWithBackup()
        fixture.server
            .expect(Self.existsQuery, parameters: ["shop_restored"], returning: [["1"]])
            .expect(Self.relationsQuery, database: "shop_restored", returning: [["12"]])
            .expect(Self.commentQuery, database: "shop_restored", returning: [["production copy, do not touch"]])
        let error = try XCTUnwrap(PostgresSeamFixture.thrown(EngineError.self) { _ = try plan(fixture, request()) })
        XCTAssertEqual(error.message, "target database 'shop_restored' is not empty (12 relations)")
        XCTAssertEqual(
            error.hint,
            "restore into a new database (--target URL naming it), or pass --clean to replace its contents")
        XCTAssertEqual(error.exitStatus, .failure)
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    /// --clean replaces the contents: the plan says so and does not even ask how full the database is.
    func testCleanUsesANonEmptyDatabase() throws {
        let fixture = try fixtureWithBackup()
        fixture.server.expect(Self.existsQuery, parameters: ["shop_restored"], returning: [["1"]])
        let plan = try plan(fixture, request(clean: true))
        XCTAssertFalse(plan.createDatabase)
        XCTAssertTrue(plan.clean)
        XCTAssertEqual(plan.steps.first, "use existing database 'shop_restored' and drop its objects first (--clean)")
        XCTAssertEqual(fixture.server.count(Self.relationsQuery), 0)
    }

    /// A database marked by a restore whose process is gone is named as that restore's incomplete leftover.
    func testLeftoverOfAKilledRestoreIsNamedAsSuch() throws {
        let fixture = try fixtureWithBackup()
        let deadOwner = "lifeboat drill on host \(ProcessInfo.processInfo.hostName) pid 2147483646"
        fixture.server
            .expect(Self.existsQuery, parameters: ["shop_restored"], returning: [["1"]])
            .expect(Self.relationsQuery, returning: [["5"]])
            .expect(Self.commentQuery, returning: [[LogicalRestore.inProgressComment + ": " + deadOwner]])
        let error = try XCTUnwrap(PostgresSeamFixture.thrown(EngineError.self) { _ = try plan(fixture, request()) })
        XCTAssertEqual(
            error.message,
            "database 'shop_restored' holds 5 relations left by a lifeboat restore that was "
                + "killed before it finished")
        XCTAssertEqual(
            error.hint,
            "its contents are incomplete: restore again with --clean, or drop the database first")
    }

    /// A restore still running (its pid is alive: this very process) is not a leftover: the database is just not empty.
    func testDatabaseOfARunningRestoreIsNotALeftover() throws {
        let fixture = try fixtureWithBackup()
        fixture.server
            .expect(Self.existsQuery, parameters: ["shop_restored"], returning: [["1"]])
            .expect(Self.relationsQuery, returning: [["5"]])
            .expect(
                Self.commentQuery,
                returning: [[LogicalRestore.inProgressComment + ": " + AbandonedScratch.ownerText]])
        let error = try XCTUnwrap(PostgresSeamFixture.thrown(EngineError.self) { _ = try plan(fixture, request()) })
        XCTAssertEqual(error.message, "target database 'shop_restored' is not empty (5 relations)")
    }

    /// Without --target, the backup's database on the configured server is the target.
    func testDefaultTargetIsTheBackedUpDatabaseOnTheConfiguredServer() throws {
        let fixture = try fixtureWithBackup()
        fixture.server.expect(Self.existsQuery, parameters: ["shop"], database: "postgres", returning: [])
        let plan = try plan(fixture, request(target: nil))
        XCTAssertEqual(plan.target, "backup@db.example:5432/shop")
        XCTAssertEqual(plan.targetDatabase, "shop")
        XCTAssertTrue(plan.createDatabase)
        XCTAssertEqual(fixture.server.connections.map(\.user), ["backup"])
    }

    func testUnreachableTargetFailsThePlan() throws {
        let fixture = try fixtureWithBackup()
        fixture.server.refuseConnections("connection refused")
        let error = try XCTUnwrap(PostgresSeamFixture.thrown(PGError.self) { _ = try plan(fixture, request()) })
        XCTAssertEqual(error.message, "could not connect to 'postgres@db2.example:5433/postgres': connection refused")
    }

    /// The backup is resolved before the server is asked anything: a wrong database name costs no connection.
    func testUnknownDatabaseIsRefusedBeforeConnecting() throws {
        let fixture = try fixtureWithBackup()
        var wrong = request()
        wrong.database = "billing"
        let error = try XCTUnwrap(PostgresSeamFixture.thrown(EngineError.self) { _ = try plan(fixture, wrong) })
        XCTAssertEqual(error.message, "database 'billing' not found; available: 'shop'")
        XCTAssertTrue(fixture.server.connections.isEmpty)
    }
}
