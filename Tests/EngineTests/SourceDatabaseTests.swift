// SourceDatabaseTests: what backups and `lifeboat check` learn from the source server — version, role, control
// data, databases, row counts in the exported snapshot — and how an unreachable or too old server is reported.
import Catalog
import Diagnostics
import PGClient
import PostgresTestSupport
import XCTest

@testable import Engine

final class SourceDatabaseTests: XCTestCase {
    static let factsQuery: ScriptedPostgres.Pattern = .prefix("SELECT current_setting('server_version'),")
    static let controlQuery: ScriptedPostgres.Pattern = .containing("FROM pg_control_system()")
    static let roleQuery: ScriptedPostgres.Pattern =
        .prefix("SELECT current_user::text, (SELECT rolreplication OR rolsuper")
    static let permissionDenied = PGError.queryFailed(
        sqlState: "42501",
        detail: "permission denied for function pg_control_system")

    // MARK: facts

    func testFactsReadVersionRoleAndControlData() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expect(Self.factsQuery, returning: [["15.4 (Debian 15.4-1.pgdg120+1)", "150004", "true"]])
            .expect(Self.controlQuery, returning: [["7301234567890123456", "3"]])
        let facts = try SourceDatabase.facts(fixture.server.session())
        XCTAssertEqual(facts.version, "15.4 (Debian 15.4-1.pgdg120+1)")
        XCTAssertEqual(facts.versionNumber, 150004)
        XCTAssertTrue(facts.isSuperuser)
        XCTAssertEqual(facts.systemIdentifier, "7301234567890123456")
        XCTAssertEqual(facts.timeline, 3)
    }

    /// Without the grants to read the control data, a backup still runs; it just records no identifier or timeline.
    func testFactsWithoutControlDataGrantsLeaveThemOut() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expect(Self.factsQuery, returning: [["16.2", "160002", "false"]])
            .expect(Self.controlQuery, failing: Self.permissionDenied)
        let facts = try SourceDatabase.facts(fixture.server.session())
        XCTAssertEqual(facts.versionNumber, 160002)
        XCTAssertFalse(facts.isSuperuser)
        XCTAssertNil(facts.systemIdentifier)
        XCTAssertNil(facts.timeline)
    }

    func testCheckNamesTheServerItsVersionAndWhetherGlobalsAreIncluded() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expect(Self.factsQuery, times: 1, returning: [["15.4", "150004", "false"]])
            .expect(Self.factsQuery, times: 1, returning: [["15.4", "150004", "true"]])
            .expect(Self.controlQuery, failing: Self.permissionDenied)
        let check = HealthCheck(context: fixture.context)
        XCTAssertEqual(
            try check.postgres(),
            "backup@db.example:5432/postgres is PostgreSQL 15.4 (not a superuser: globals are skipped)")
        XCTAssertEqual(try check.postgres(), "backup@db.example:5432/postgres is PostgreSQL 15.4 (superuser)")
        XCTAssertEqual(fixture.server.connections.map(\.database), ["postgres", "postgres"])
        XCTAssertEqual(fixture.server.openSessions, 0, "every connection the check opened is closed")
    }

    func testUnreachableServerIsNamedWithoutThePassword() throws {
        let fixture = try PostgresSeamFixture()
        let refused = "connection to server at \"db.example\" (192.0.2.7), port 5432 failed: Connection refused"
        fixture.server.refuseConnections(refused)
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(PGError.self) {
                _ = try HealthCheck(context: fixture.context).postgres()
            })
        XCTAssertEqual(error.message, "could not connect to 'backup@db.example:5432/postgres': \(refused)")
        XCTAssertEqual(error.exitStatus, .failure)
        XCTAssertTrue(error.hint?.contains("pg_hba.conf") == true, error.hint ?? "no hint")
        XCTAssertTrue(fixture.server.exchanges.isEmpty)
    }

    /// The client tools are chosen for the server's major version.
    func testServerMajorComesFromTheServerVersion() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server.serverVersionNumber = 140011
        XCTAssertEqual(try HealthCheck(context: fixture.context).serverMajor(), 14)
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    // MARK: snapshots need more of the server

    func testSnapshotRefusesARoleWithoutReplication() throws {
        let fixture = try PostgresSeamFixture(backupType: "snapshot")
        fixture.server.expect(Self.roleQuery, returning: [["backup", "false"]])
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(SnapshotError.self) {
                try snapshot(fixture).checkServer(fixture.server.session())
            })
        XCTAssertEqual(
            error.message,
            "role 'backup' may not take a snapshot: it needs the REPLICATION attribute (or superuser)")
        XCTAssertEqual(
            error.hint,
            "run 'ALTER ROLE backup REPLICATION' or use a replication-capable role in postgres.url")
    }

    func testSnapshotRefusesAServerWithoutArchiving() throws {
        let fixture = try PostgresSeamFixture(backupType: "snapshot")
        fixture.server.expect("SELECT current_setting('archive_mode')", returning: [["off"]])
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(SnapshotError.self) {
                try snapshot(fixture).checkArchiving(fixture.server.session())
            })
        XCTAssertEqual(error.message, "the server has archive_mode = off; a snapshot needs continuous WAL archiving")
    }

    func testSnapshotRefusesAServerOlderThan15() throws {
        let fixture = try PostgresSeamFixture(backupType: "snapshot")
        fixture.server.serverVersionNumber = 140011
        fixture.server.expect(Self.roleQuery, returning: [["backup", "true"]])
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(SnapshotError.self) {
                try snapshot(fixture).checkServer(fixture.server.session())
            })
        XCTAssertEqual(
            error.message,
            "the server's version is 140011; snapshots use the BASE_BACKUP protocol of "
                + "PostgreSQL 15 or later")
        XCTAssertEqual(error.hint, "take logical backups of this cluster (--type logical), or upgrade the server")
    }

    func testSnapshotReadsTheWALSegmentSizeAndRefusesANonsense() throws {
        let fixture = try PostgresSeamFixture(backupType: "snapshot")
        let query = "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"
        fixture.server.expect(.sql(query), times: 1, returning: [["67108864"]])
            .expect(.sql(query), times: 1, returning: [["1000"]])
        XCTAssertEqual(try snapshot(fixture).walSegmentSize(fixture.server.session()), 64 << 20)
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(SnapshotError.self) {
                _ = try snapshot(fixture).walSegmentSize(fixture.server.session())
            })
        XCTAssertEqual(error.message, "unexpected answer from the server: wal_segment_size is '1000'")
    }

    func snapshot(_ fixture: PostgresSeamFixture) -> SnapshotBackup {
        SnapshotBackup(context: fixture.context, repository: fixture.repository, keyring: fixture.keyring)
    }

    // MARK: databases

    func testDefaultBackupTakesEveryListedDatabaseAndRefusesAnUnknownOne() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server.expect(
            "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname",
            returning: [["app"], ["shop"]])
        let available = try SourceDatabase.databases(fixture.server.session())
        XCTAssertEqual(available, ["app", "shop"])
        let backup = LogicalBackup(context: fixture.context, repository: fixture.repository, keyring: fixture.keyring)
        XCTAssertEqual(try backup.chooseDatabases([], available: available), ["app", "shop"])
        XCTAssertEqual(try backup.chooseDatabases(["shop"], available: available), ["shop"])
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(EngineError.self) {
                _ = try backup.chooseDatabases(["shop", "billing"], available: available)
            })
        XCTAssertEqual(error.message, "database 'billing' not found; available: 'app', 'shop'")
        XCTAssertEqual(error.exitStatus, .usage)
    }

    // MARK: the snapshot a dump is taken from

    func testExportSnapshotOpensARepeatableReadTransaction() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expectCommand("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .expect("SELECT pg_export_snapshot()", returning: [["00000003-0000001B-1"]])
            .expect(.containing("pg_current_wal_lsn() END::text"), returning: [["0/3000060"]])
        let (snapshot, lsn) = try SourceDatabase.exportSnapshot(fixture.server.session())
        XCTAssertEqual(snapshot, "00000003-0000001B-1")
        XCTAssertEqual(lsn, "0/3000060")
        XCTAssertEqual(fixture.server.exchanges.first?.kind, .execute, "the transaction starts before the export")
    }

    func testRowCountsQuoteEveryNameInsideASavepoint() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expectCommand("SAVEPOINT lifeboat_row_counts")
            .expect(.sql(SourceDatabase.tableListSQL), returning: [["public", "orders"], ["Sales", "we\"ird"]])
            .expect("SELECT count(*) FROM \"public\".\"orders\"", returning: [["42"]])
            .expect("SELECT count(*) FROM \"Sales\".\"we\"\"ird\"", returning: [["7"]])
            .expectCommand("RELEASE SAVEPOINT lifeboat_row_counts")
        let counts = try SourceDatabase.rowCounts(fixture.server.session())
        XCTAssertEqual(
            counts,
            [
                TableCount(schema: "public", table: "orders", rows: 42),
                TableCount(schema: "Sales", table: "we\"ird", rows: 7),
            ])
        XCTAssertEqual(fixture.server.statements.last, "RELEASE SAVEPOINT lifeboat_row_counts")
    }

    /// A failing count must leave the exported snapshot's transaction usable: pg_dump may still be importing it.
    func testFailingCountRollsBackToTheSavepointAndReportsTheError() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expectCommand("SAVEPOINT lifeboat_row_counts")
            .expect(.sql(SourceDatabase.tableListSQL), returning: [["public", "orders"], ["secret", "salaries"]])
            .expect("SELECT count(*) FROM \"public\".\"orders\"", returning: [["42"]])
            .expect(
                "SELECT count(*) FROM \"secret\".\"salaries\"",
                failing: .queryFailed(sqlState: "42501", detail: "permission denied for table salaries")
            )
            .expectCommand("ROLLBACK TO SAVEPOINT lifeboat_row_counts")
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(PGError.self) {
                _ = try SourceDatabase.rowCounts(fixture.server.session())
            })
        XCTAssertEqual(error.message, "query failed with sqlstate '42501': permission denied for table salaries")
        XCTAssertEqual(fixture.server.statements.last, "ROLLBACK TO SAVEPOINT lifeboat_row_counts")
        XCTAssertEqual(fixture.server.count(.prefix("RELEASE")), 0)
    }

    func testCurrentLSNOfAServerWithoutOneIsZero() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server.expect(
            .containing("pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text"),
            returning: [[nil]])
        XCTAssertEqual(try SourceDatabase.currentLSN(fixture.server.session()), "0/0")
    }
}
