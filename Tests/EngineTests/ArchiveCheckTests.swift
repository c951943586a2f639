// ArchiveCheckTests: the archiving lines of `lifeboat check` — archive_mode, archive_command and the forced WAL
// switch — from the server's answers: which verdict (ok, warning, skipped, failure) and which message and hint.
import Diagnostics
import PGClient
import PostgresTestSupport
import XCTest

@testable import Engine

final class ArchiveCheckTests: XCTestCase {
    static let recommendedLine = "archive_command = '/usr/bin/lifeboat --config /etc/lifeboat/lifeboat.yml wal push %p'"
    static let segment = "000000010000000000000003"

    func check(_ fixture: PostgresSeamFixture) -> ArchiveCheck {
        ArchiveCheck(
            context: fixture.context, configPath: PostgresSeamFixture.configPath,
            binaryPath: PostgresSeamFixture.binaryPath)
    }

    func setting(_ server: ScriptedPostgres, _ name: String, _ value: String) {
        server.expect("SELECT coalesce(current_setting($1, true), '')", parameters: [name], returning: [[value]])
    }

    // MARK: archive_mode

    func testArchivingOffIsFineForLogicalBackups() throws {
        let fixture = try PostgresSeamFixture(backupType: "logical")
        setting(fixture.server, "archive_mode", "off")
        let (finding, needed) = try check(fixture).mode()
        XCTAssertEqual(finding.status, .ok)
        XCTAssertEqual(finding.detail, "not configured (only needed for snapshots and point-in-time restore)")
        XCTAssertFalse(needed)
        XCTAssertEqual(fixture.server.connections.map(\.applicationName), ["lifeboat check"])
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    func testArchivingOffFailsWhenBackupsAreSnapshots() throws {
        let fixture = try PostgresSeamFixture(backupType: "snapshot")
        setting(fixture.server, "archive_mode", "off")
        let error = try XCTUnwrap(PostgresSeamFixture.thrown(ArchiveCheckError.self) { _ = try check(fixture).mode() })
        XCTAssertEqual(
            error.message,
            "archive_mode is off, but backup.type is snapshot: snapshots and point-in-time "
                + "restore need continuous WAL archiving")
        XCTAssertEqual(
            error.hint,
            "set archive_mode = on and \(Self.recommendedLine) in postgresql.conf, then restart the server")
        XCTAssertEqual(error.exitStatus, .failure)
    }

    func testArchivingOnNeedsTheOtherChecks() throws {
        let fixture = try PostgresSeamFixture(backupType: "snapshot")
        setting(fixture.server, "archive_mode", "always")
        let (finding, needed) = try check(fixture).mode()
        XCTAssertEqual(finding.status, .ok)
        XCTAssertEqual(finding.detail, "archive_mode = always")
        XCTAssertTrue(needed)
    }

    func testUnreachableServerFailsTheCheck() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server.refuseConnections("timeout expired")
        let error = try XCTUnwrap(PostgresSeamFixture.thrown(PGError.self) { _ = try check(fixture).mode() })
        XCTAssertEqual(error.message, "could not connect to 'backup@db.example:5432/postgres': timeout expired")
    }

    // MARK: archive_command

    func testArchiveLibraryOverridesTheCommand() throws {
        let fixture = try PostgresSeamFixture()
        setting(fixture.server, "archive_library", "basic_archive")
        let (finding, invokesLifeboat) = try check(fixture).command()
        XCTAssertEqual(finding.status, .warning)
        XCTAssertEqual(
            finding.detail,
            "archive_library = 'basic_archive' is set, so archive_command is ignored "
                + "and WAL does not reach lifeboat")
        XCTAssertEqual(finding.hint, "set archive_library = '' and \(Self.recommendedLine), then reload the server")
        XCTAssertFalse(invokesLifeboat)
    }

    func testCommandOfAnotherToolIsAWarningNamingTheLineToUse() throws {
        let fixture = try PostgresSeamFixture()
        setting(fixture.server, "archive_library", "")
        setting(fixture.server, "archive_command", "cp %p /mnt/archive/%f")
        let (finding, invokesLifeboat) = try check(fixture).command()
        XCTAssertEqual(finding.status, .warning)
        XCTAssertEqual(finding.detail, "archive_command is 'cp %p /mnt/archive/%f', not lifeboat's 'wal push %p'")
        XCTAssertEqual(
            finding.hint,
            "set \(Self.recommendedLine) in postgresql.conf (or ALTER SYSTEM), then reload the server")
        XCTAssertFalse(invokesLifeboat)
    }

    func testEmptyCommandIsAWarning() throws {
        let fixture = try PostgresSeamFixture()
        setting(fixture.server, "archive_library", "")
        setting(fixture.server, "archive_command", "")
        let (finding, invokesLifeboat) = try check(fixture).command()
        XCTAssertEqual(finding.status, .warning)
        XCTAssertEqual(finding.detail, "archive_command is empty, not lifeboat's 'wal push %p'")
        XCTAssertFalse(invokesLifeboat)
    }

    func testLifeboatWithAnotherConfigurationIsAWarning() throws {
        let fixture = try PostgresSeamFixture()
        setting(fixture.server, "archive_library", "")
        let command = "/usr/bin/lifeboat --config /etc/lifeboat/other.yml wal push %p"
        setting(fixture.server, "archive_command", command)
        let (finding, invokesLifeboat) = try check(fixture).command()
        XCTAssertEqual(finding.status, .warning)
        XCTAssertEqual(
            finding.detail,
            "archive_command '\(command)' uses configuration '/etc/lifeboat/other.yml', "
                + "not '/etc/lifeboat/lifeboat.yml'")
        XCTAssertTrue(invokesLifeboat)
    }

    func testLifeboatWithoutConfigurationIsAWarning() throws {
        let fixture = try PostgresSeamFixture()
        setting(fixture.server, "archive_library", "")
        setting(fixture.server, "archive_command", "lifeboat wal push %p")
        let (finding, invokesLifeboat) = try check(fixture).command()
        XCTAssertEqual(finding.status, .warning)
        XCTAssertTrue(
            finding.detail.hasPrefix("archive_command 'lifeboat wal push %p' names no --config"),
            finding.detail)
        XCTAssertEqual(finding.hint, "name the configuration explicitly: \(Self.recommendedLine)")
        XCTAssertTrue(invokesLifeboat)
    }

    func testTheRecommendedCommandIsOk() throws {
        let fixture = try PostgresSeamFixture()
        setting(fixture.server, "archive_library", "")
        let command = "'/usr/bin/lifeboat' --config '/etc/lifeboat/lifeboat.yml' wal push %p"
        setting(fixture.server, "archive_command", command)
        let (finding, invokesLifeboat) = try check(fixture).command()
        XCTAssertEqual(finding.status, .ok)
        XCTAssertEqual(finding.detail, "'\(command)'")
        XCTAssertNil(finding.hint)
        XCTAssertTrue(invokesLifeboat)
    }

    // MARK: the WAL switch

    /// The questions before the switch, answered for a primary whose role may switch WAL.
    static let privilegeQuery: ScriptedPostgres.Pattern =
        "SELECT has_function_privilege('pg_catalog.pg_switch_wal()', 'EXECUTE')::text"
    static let archiverQuery: ScriptedPostgres.Pattern =
        .prefix("SELECT last_failed_wal, last_failed_time::text, last_archived_wal FROM pg_stat_archiver")

    func scriptSwitch(_ server: ScriptedPostgres, segment: String? = ArchiveCheckTests.segment) {
        server
            .expect("SELECT pg_is_in_recovery()::text", returning: [["false"]])
            .expect(Self.privilegeQuery, returning: [["true"]])
            .expect("SELECT pg_logical_emit_message(false, 'lifeboat check', '')", returning: [["0/3000150"]])
            .expect("SELECT pg_walfile_name(pg_switch_wal())", returning: [[segment]])
    }

    func testSegmentThatArrivesIsOk() throws {
        let fixture = try PostgresSeamFixture(environment: ["LIFEBOAT_CHECK_WAL_SECONDS": "5"])
        scriptSwitch(fixture.server)
        try fixture.archiveRecord(Self.segment)
        let finding = try check(fixture).switchAndWait(repository: fixture.repository, keyring: fixture.keyring)
        XCTAssertEqual(finding.status, .ok)
        XCTAssertTrue(
            finding.detail.hasPrefix("switched WAL; segment \(Self.segment) arrived in the repository after "),
            finding.detail)
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    /// A server without pg_logical_emit_message's effect (or the right to call it) still gets its switch.
    func testMessageBeforeTheSwitchIsBestEffort() throws {
        let fixture = try PostgresSeamFixture(environment: ["LIFEBOAT_CHECK_WAL_SECONDS": "5"])
        fixture.server.expect(
            "SELECT pg_logical_emit_message(false, 'lifeboat check', '')",
            failing: .queryFailed(sqlState: "42501", detail: "permission denied"))
        scriptSwitch(fixture.server)
        try fixture.archiveRecord(Self.segment)
        let finding = try check(fixture).switchAndWait(repository: fixture.repository, keyring: fixture.keyring)
        XCTAssertEqual(finding.status, .ok)
        XCTAssertEqual(fixture.server.count("SELECT pg_walfile_name(pg_switch_wal())"), 1)
    }

    func testSegmentThatNeverArrivesFailsNamingTheCommandAndTheLastFailure() throws {
        let fixture = try PostgresSeamFixture(environment: ["LIFEBOAT_CHECK_WAL_SECONDS": "1"])
        scriptSwitch(fixture.server)
        setting(fixture.server, "archive_command", "lifeboat --config /etc/lifeboat/lifeboat.yml wal push %p")
        fixture.server.expect(
            Self.archiverQuery,
            returning: [[Self.segment, "2026-11-21 03:14:00+00", "000000010000000000000002"]])
        let started = Date()
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(ArchiveCheckError.self) {
                _ = try check(fixture).switchAndWait(repository: fixture.repository, keyring: fixture.keyring)
            })
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1, "it waited for the configured bound")
        XCTAssertEqual(
            error.message,
            "WAL segment \(Self.segment) did not reach the repository within 1 s after "
                + "pg_switch_wal(); archive_command is 'lifeboat --config /etc/lifeboat/lifeboat.yml wal push %p'; "
                + "pg_stat_archiver.last_failed_wal is '\(Self.segment)' (last_failed_time 2026-11-21 03:14:00+00)")
        XCTAssertEqual(
            error.hint,
            "make archive_command run successfully as the server's OS user "
                + "(\(Self.recommendedLine)); SELECT last_failed_wal, last_failed_time FROM pg_stat_archiver and the "
                + "server log show why it fails")
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    /// The server archived the segment, yet this repository never got it: the command stores it elsewhere.
    func testSegmentArchivedElsewhereIsNamedAsSuch() throws {
        let fixture = try PostgresSeamFixture(environment: ["LIFEBOAT_CHECK_WAL_SECONDS": "1"])
        scriptSwitch(fixture.server)
        setting(fixture.server, "archive_command", "lifeboat --config /srv/old/lifeboat.yml wal push %p")
        fixture.server.expect(Self.archiverQuery, returning: [[nil, nil, Self.segment]])
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(ArchiveCheckError.self) {
                _ = try check(fixture).switchAndWait(repository: fixture.repository, keyring: fixture.keyring)
            })
        XCTAssertEqual(
            error.message,
            "WAL segment \(Self.segment) did not reach the repository within 1 s after "
                + "pg_switch_wal(); archive_command is 'lifeboat --config /srv/old/lifeboat.yml wal push %p'; the server "
                + "reports it archived (pg_stat_archiver.last_archived_wal), so archive_command succeeds without "
                + "storing it here")
    }

    func testStandbyIsSkipped() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server.expect("SELECT pg_is_in_recovery()::text", returning: [["true"]])
        let finding = try check(fixture).switchAndWait(repository: fixture.repository, keyring: fixture.keyring)
        XCTAssertEqual(finding.status, .skipped)
        XCTAssertEqual(
            finding.detail,
            "skipped: the server is in recovery (a standby), where pg_switch_wal() is not possible")
        XCTAssertEqual(fixture.server.count("SELECT pg_walfile_name(pg_switch_wal())"), 0, "no switch was attempted")
    }

    func testRoleThatMayNotSwitchIsSkippedNamingTheGrant() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expect("SELECT pg_is_in_recovery()::text", returning: [["false"]])
            .expect(Self.privilegeQuery, returning: [["false"]])
            .expect("SELECT current_user::text", returning: [["monitor"]])
        let finding = try check(fixture).switchAndWait(repository: fixture.repository, keyring: fixture.keyring)
        XCTAssertEqual(finding.status, .skipped)
        XCTAssertEqual(
            finding.detail,
            "skipped: role 'monitor' may not run pg_switch_wal() (needs superuser or GRANT "
                + "EXECUTE ON FUNCTION pg_switch_wal() TO monitor)")
        XCTAssertEqual(fixture.server.count("SELECT pg_walfile_name(pg_switch_wal())"), 0)
    }

    func testSwitchWithoutASegmentNameIsAnUnexpectedAnswer() throws {
        let fixture = try PostgresSeamFixture()
        scriptSwitch(fixture.server, segment: nil)
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(ArchiveCheckError.self) {
                _ = try check(fixture).switchAndWait(repository: fixture.repository, keyring: fixture.keyring)
            })
        XCTAssertEqual(
            error.message,
            "unexpected answer from the server: pg_walfile_name(pg_switch_wal()) gave no segment name")
    }
}
