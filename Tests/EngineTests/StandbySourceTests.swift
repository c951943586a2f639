// StandbySourceTests: the checks a snapshot from a standby passes before anything is written — the standby is in
// recovery, of the primary's database system, not further behind than postgres.standby_max_lag; the primary writes
// full pages and lets the role switch WAL — each refusal with its exit status, and what `lifeboat check` says.
import Catalog
import Configuration
import Diagnostics
import PGClient
import PostgresTestSupport
import XCTest

@testable import Engine

final class StandbySourceTests: XCTestCase {
    static let primaryQuery: ScriptedPostgres.Pattern = .prefix("SELECT pg_current_wal_lsn()::text, current_setting")
    static let standbyQuery: ScriptedPostgres.Pattern = .prefix("SELECT pg_is_in_recovery()::text")
    static let system = "7301234567890123456"
    static let standbyURL = "postgresql://backup:pw@standby.example:5433/postgres"

    /// The primary at 0/5000000, writing full pages, the role allowed to switch WAL and to checkpoint.
    static func primary(
        _ server: ScriptedPostgres, lsn: String = "0/5000000", fullPages: String = "on", canSwitch: String = "true",
        canCheckpoint: String = "true", system: String = StandbySourceTests.system
    ) {
        server.expect(
            primaryQuery, times: 1, returning: [[lsn, fullPages, canSwitch, "backup", system, canCheckpoint]])
    }

    static func standby(
        _ server: ScriptedPostgres, inRecovery: String = "true", system: String = StandbySourceTests.system,
        replayed: String? = "0/5000000", age: String? = "2.5"
    ) {
        server.expect(standbyQuery, times: 1, returning: [[inRecovery, system, replayed, age]])
    }

    func check(_ server: ScriptedPostgres, limit: StandbyLagLimit = .standard) throws -> StandbySource.Facts {
        try StandbySource(
            primary: server.session(), standby: server.session(), standbyName: "backup@standby.example:5433/postgres",
            limit: limit
        ).check()
    }

    func refusal(_ server: ScriptedPostgres, limit: StandbyLagLimit = .standard) -> StandbyError? {
        PostgresSeamFixture.thrown(StandbyError.self) { _ = try self.check(server, limit: limit) }
    }

    func testACaughtUpStandbyOfThePrimaryPasses() throws {
        let server = ScriptedPostgres()
        Self.primary(server)
        Self.standby(server)
        let facts = try check(server)
        XCTAssertEqual(facts.systemIdentifier, Self.system)
        XCTAssertEqual(facts.replayed, LSN("0/5000000"))
        XCTAssertTrue(facts.lag.caughtUp)
        XCTAssertEqual(facts.lag.description, "caught up")
    }

    func testAServerNotInRecoveryIsNotAStandby() throws {
        let server = ScriptedPostgres()
        Self.primary(server)
        Self.standby(server, inRecovery: "false", replayed: nil, age: nil)
        let error = try XCTUnwrap(refusal(server))
        guard case .notInRecovery(let name) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(name, "backup@standby.example:5433/postgres")
        XCTAssertEqual(error.exitStatus, .usage)
        XCTAssertTrue(error.message.contains("is not in recovery"), error.message)
    }

    func testAStandbyOfAnotherSystemIsRefused() throws {
        let server = ScriptedPostgres()
        Self.primary(server)
        Self.standby(server, system: "7399999999999999999")
        let error = try XCTUnwrap(refusal(server))
        guard case .otherSystem(_, "7399999999999999999", Self.system) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(error.exitStatus, .usage)
    }

    func testThePrimaryMustWriteFullPages() throws {
        let server = ScriptedPostgres()
        Self.primary(server, fullPages: "off")
        let error = try XCTUnwrap(refusal(server))
        guard case .fullPageWritesOff = error else { return XCTFail("\(error)") }
        XCTAssertEqual(error.exitStatus, .failure)
        XCTAssertTrue(error.hint?.contains("full_page_writes = on") == true, error.hint ?? "")
        XCTAssertEqual(server.count(Self.standbyQuery), 0, "the standby is not asked once the primary fails")
    }

    func testTheRoleMustBeAbleToSwitchWALOnThePrimary() throws {
        let server = ScriptedPostgres()
        Self.primary(server, canSwitch: "false")
        let error = try XCTUnwrap(refusal(server))
        guard case .cannotSwitchWAL("backup") = error else { return XCTFail("\(error)") }
        XCTAssertEqual(error.exitStatus, .failure)
        XCTAssertEqual(
            error.hint, "on the primary: GRANT EXECUTE ON FUNCTION pg_switch_wal() TO backup; or use a superuser")
    }

    func testTheRoleMustBeAbleToCheckpointThePrimary() throws {
        let server = ScriptedPostgres()
        Self.primary(server, canCheckpoint: "false")
        let error = try XCTUnwrap(refusal(server))
        guard case .cannotCheckpoint("backup") = error else { return XCTFail("\(error)") }
        XCTAssertEqual(error.exitStatus, .failure)
        XCTAssertEqual(error.hint, "on the primary: GRANT pg_checkpoint TO backup; or use a superuser")
    }

    /// The snapshot starts at the restartpoint the standby makes at the primary's fresh checkpoint: it waits for
    /// the standby to replay it, and gives up after the bound.
    func testThePrimarysCheckpointIsWaitedForUntilTheStandbyReplayedIt() throws {
        let server = ScriptedPostgres()
        server.expectCommand(.sql("CHECKPOINT"))
        server.expect(.sql("SELECT pg_current_wal_lsn()::text"), returning: [["0/6000000"]])
        server.expect(.sql("SELECT pg_last_wal_replay_lsn()::text"), times: 2, returning: [["0/5FFFFF0"]])
        server.expect(.sql("SELECT pg_last_wal_replay_lsn()::text"), times: 1, returning: [["0/6000010"]])
        let source = StandbySource(
            primary: server.session(), standby: server.session(), standbyName: "s", limit: .standard)
        XCTAssertEqual(try source.checkpointPrimary(waitingAtMost: 10), LSN("0/6000000"))
        XCTAssertEqual(server.count(.sql("SELECT pg_last_wal_replay_lsn()::text")), 3)

        server.expectCommand(.sql("CHECKPOINT"))
        server.expect(.sql("SELECT pg_last_wal_replay_lsn()::text"), returning: [["0/5000000"]])
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(StandbyError.self) { _ = try source.checkpointPrimary(waitingAtMost: 0.2) })
        guard case .checkpointNotReplayed("s", "0/6000000", _) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(error.exitStatus, .failure)
    }

    func testAByteLimitComparesReplayWithThePrimarysPosition() throws {
        let behind = ScriptedPostgres()
        Self.primary(behind, lsn: "0/5000000")
        Self.standby(behind, replayed: "0/4000000", age: "1")
        let error = try XCTUnwrap(refusal(behind, limit: .bytes(1 << 20)))
        guard case .tooFarBehind(_, let lag, "1MiB") = error else { return XCTFail("\(error)") }
        XCTAssertEqual(lag, "16.0 MiB behind, last replayed transaction 1s old")
        XCTAssertEqual(error.exitStatus, .failure)
        XCTAssertTrue(error.message.contains("nothing was written"), error.message)

        let within = ScriptedPostgres()
        Self.primary(within, lsn: "0/5000000")
        Self.standby(within, replayed: "0/4000000", age: "1")
        XCTAssertEqual(try check(within, limit: .bytes(32 << 20)).lag.bytes, 16 << 20)
    }

    /// A standby that replayed more than the primary had written when asked (it was asked second) is caught up.
    func testAStandbyAheadOfTheEarlierPrimaryReadingIsCaughtUp() throws {
        let server = ScriptedPostgres()
        Self.primary(server, lsn: "0/5000000")
        Self.standby(server, replayed: "0/5000100", age: "9999")
        XCTAssertTrue(try check(server, limit: .bytes(0)).lag.caughtUp)
    }

    func testATimeLimitCountsTheLastReplayedTransactionOnlyWhileBehind() {
        let limit = StandbyLagLimit.seconds(300)
        let behind = StandbyLag(primary: LSN(0x500_0000), replayed: LSN(0x4FF_FF00), lastReplayAge: 400)
        XCTAssertTrue(behind.exceeds(limit))
        XCTAssertEqual(behind.description, "256 bytes behind, last replayed transaction 6m40s old")
        XCTAssertFalse(
            StandbyLag(primary: LSN(0x500_0000), replayed: LSN(0x4FF_FF00), lastReplayAge: 20).exceeds(limit))
        let idle = StandbyLag(primary: LSN(0x500_0000), replayed: LSN(0x500_0000), lastReplayAge: 86_400)
        XCTAssertFalse(idle.exceeds(limit), "an idle primary's caught-up standby is not late")
        let unknown = StandbyLag(primary: LSN(0x500_0000), replayed: LSN(0x400_0000), lastReplayAge: nil)
        XCTAssertTrue(unknown.exceeds(limit), "behind, with no transaction replayed: its lag in time is unknown")
        XCTAssertFalse(unknown.exceeds(.bytes(32 << 20)))
        XCTAssertEqual(unknown.description, "16.0 MiB behind, no transaction replayed since it started")
    }

    // MARK: the snapshot

    /// Runs `backup --type snapshot --from-standby` on the fixture and returns the error of type `E` it must fail
    /// with.
    static func snapshotFromStandby<E: Error>(
        _ fixture: PostgresSeamFixture, fails type: E.Type, file: StaticString = #filePath, line: UInt = #line
    ) throws -> E {
        let snapshot = SnapshotBackup(
            context: fixture.context, repository: fixture.repository, keyring: fixture.keyring)
        return try XCTUnwrap(
            PostgresSeamFixture.thrown(type, file: file, line: line) {
                _ = try snapshot.run(
                    SnapshotBackupRequest(label: nil, pinned: false, keepUntil: nil, fromStandby: true))
            }, file: file, line: line)
    }

    /// Refused before anything is stored: the repository stays empty and the standby's session is closed.
    func testASnapshotFromAStandbyThatIsNotOneWritesNothing() throws {
        let fixture = try PostgresSeamFixture(postgres: ["standby_url: \(Self.standbyURL)"])
        fixture.server.expect(.sql("SELECT current_setting('archive_mode')"), returning: [["on"]])
        fixture.server.expect(SourceDatabaseTests.roleQuery, returning: [["backup", "true"]])
        Self.primary(fixture.server)
        Self.standby(fixture.server, inRecovery: "false", replayed: nil, age: nil)
        let error = try Self.snapshotFromStandby(fixture, fails: StandbyError.self)
        guard case .notInRecovery("backup@standby.example:5433/postgres") = error else { return XCTFail("\(error)") }
        XCTAssertEqual(
            fixture.server.connections.map(\.database), ["postgres", "postgres"], "the primary, then the standby")
        XCTAssertEqual(fixture.server.openSessions, 0)
        XCTAssertEqual(try fixture.repository.store.list(prefix: "backups/").map(\.key), [])
    }

    /// The standby's role must be able to run BASE_BACKUP: checked before the primary is asked for anything.
    func testTheStandbysRoleIsCheckedBeforeThePrimaryIsCheckpointed() throws {
        let fixture = try PostgresSeamFixture(postgres: ["standby_url: \(Self.standbyURL)"])
        fixture.server.expect(.sql("SELECT current_setting('archive_mode')"), returning: [["on"]])
        fixture.server.expect(SourceDatabaseTests.roleQuery, returning: [["backup", "false"]])
        let error = try Self.snapshotFromStandby(fixture, fails: SnapshotError.self)
        guard case .notReplicationRole("backup") = error else { return XCTFail("\(error)") }
        XCTAssertEqual(fixture.server.count(.sql("CHECKPOINT")), 0)
        XCTAssertEqual(fixture.server.count(Self.primaryQuery), 0)
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    func testFromStandbyWithoutAStandbyURLIsAUsageError() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server.expect(.sql("SELECT current_setting('archive_mode')"), returning: [["on"]])
        let error = try Self.snapshotFromStandby(fixture, fails: StandbyError.self)
        guard case .notConfigured = error else { return XCTFail("\(error)") }
        XCTAssertEqual(error.exitStatus, .usage)
    }

    func testALogicalBackupIsNeverTakenFromTheStandby() throws {
        let fixture = try PostgresSeamFixture(postgres: ["standby_url: \(Self.standbyURL)"])
        let run = BackupRun(context: fixture.context, repository: fixture.repository, keyring: fixture.keyring)
        let error = try XCTUnwrap(
            PostgresSeamFixture.thrown(EngineError.self) {
                _ = try run.run(
                    BackupRequest(
                        kind: .logical, databases: [], label: nil, pinned: false, keepUntil: nil, fromStandby: true))
            })
        XCTAssertEqual(error.exitStatus, .usage)
        XCTAssertTrue(error.message.contains("--from-standby applies to snapshots only"), error.message)
        XCTAssertTrue(fixture.server.exchanges.isEmpty)
    }

    /// The segment holding the standby's stop point is archived only once the primary leaves it: the primary is
    /// switched while it still writes that segment, and left alone once it moved on.
    func testThePrimarySwitchesOnlyWhileItWritesTheStopSegment() throws {
        let fixture = try PostgresSeamFixture()
        let snapshot = SnapshotBackup(
            context: fixture.context, repository: fixture.repository, keyring: fixture.keyring)
        let points = BaseBackupPoints(
            start: LSN(0x200_0028), end: LSN(0x300_0100), timeline: 1)
        let segment: UInt64 = 16 << 20
        let current: ScriptedPostgres.Pattern = .sql("SELECT pg_current_wal_lsn()::text")
        let switchWAL: ScriptedPostgres.Pattern = .sql("SELECT pg_switch_wal()::text")
        fixture.server.expect(current, times: 1, returning: [["0/3000200"]])
        fixture.server.expect(switchWAL, times: 1, returning: [["0/3000218"]])
        try snapshot.switchPastStandbyStop(points, segmentSize: segment, primary: fixture.server.session())
        XCTAssertEqual(fixture.server.count(switchWAL), 1, "the primary still wrote segment 3")

        fixture.server.expect(current, times: 1, returning: [["0/4000000"]])
        try snapshot.switchPastStandbyStop(points, segmentSize: segment, primary: fixture.server.session())
        XCTAssertEqual(fixture.server.count(switchWAL), 1, "segment 3 is complete: no switch")

        // A stop point on a segment boundary needs nothing of the segment that starts there.
        let boundary = BaseBackupPoints(start: LSN(0x200_0028), end: LSN(0x300_0000), timeline: 1)
        fixture.server.expect(current, times: 1, returning: [["0/3000000"]])
        try snapshot.switchPastStandbyStop(boundary, segmentSize: segment, primary: fixture.server.session())
        XCTAssertEqual(fixture.server.count(switchWAL), 1)
    }

    // MARK: lifeboat check

    func testCheckReportsTheStandbyAndWarnsWhenItIsTooFarBehind() throws {
        let fixture = try PostgresSeamFixture(
            postgres: ["standby_url: \(Self.standbyURL)", "standby_max_lag: 1MiB"])
        Self.primary(fixture.server)
        Self.standby(fixture.server, replayed: "0/5000000")
        Self.primary(fixture.server)
        Self.standby(fixture.server, replayed: "0/4000000", age: "12")
        let health = HealthCheck(context: fixture.context)
        let fine = try health.standby(url: Self.standbyURL)
        XCTAssertEqual(fine.status, .ok)
        XCTAssertEqual(
            fine.detail,
            "backup@standby.example:5433/postgres is a standby of this primary, replayed up to 0/5000000, caught up "
                + "(postgres.standby_max_lag 1MiB); `backup --type snapshot --from-standby` reads snapshots from it")
        let late = try health.standby(url: Self.standbyURL)
        XCTAssertEqual(late.status, .warning)
        XCTAssertTrue(late.detail.contains("16.0 MiB behind"), late.detail)
        XCTAssertTrue(late.detail.hasSuffix("a snapshot from it would be refused now"), late.detail)
        XCTAssertFalse(late.detail.contains("pw"), "no password in what check prints")
        XCTAssertEqual(fixture.server.openSessions, 0)
    }
}
