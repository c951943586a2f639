// DrillCheckRunnerTests: a drill's checks of the restored database (sql, amcheck, full read) and its heartbeat
// reading, from the scratch server's answers: a failing check is a recorded outcome with a reason, never a throw.
import Configuration
import Drills
import Foundation
import PGClient
import Policy
import PostgresTestSupport
import XCTest

@testable import Engine

final class DrillCheckRunnerTests: XCTestCase {
    static let scratch = "postgresql://postgres@127.0.0.1:54400/shop"

    func runner(_ fixture: PostgresSeamFixture) -> DrillCheckRunner {
        DrillCheckRunner(progress: fixture.context.progress, postgres: fixture.context.postgres)
    }

    func target() throws -> ConnectionInfo { try ConnectionInfo(Self.scratch) }

    // MARK: sql

    func testSQLCheckComparesTheFirstValue() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expect("SELECT count(*) FROM orders", times: 1, returning: [["1200"]])
            .expect("SELECT count(*) FROM orders", times: 1, returning: [["1199"]])
            .expect("SELECT count(*) FROM orders", times: 1, returning: [])
        let check = SQLCheck(name: "orders", query: "SELECT count(*) FROM orders", expect: "1200")
        let passed = runner(fixture).sql(check, connection: try target())
        XCTAssertTrue(passed.passed)
        XCTAssertEqual(passed.detail, "got '1200'")
        XCTAssertEqual(passed.kind, .sql)
        let wrong = runner(fixture).sql(check, connection: try target())
        XCTAssertFalse(wrong.passed)
        XCTAssertEqual(wrong.detail, "expected '1200', got '1199'")
        let empty = runner(fixture).sql(check, connection: try target())
        XCTAssertFalse(empty.passed)
        XCTAssertEqual(empty.detail, "the query returned no value; expected '1200'")
        XCTAssertEqual(Set(fixture.server.connections.map(\.database)), ["shop"])
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    func testCheckOnAnUnreachableTargetFailsWithTheReason() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server.refuseConnections("the database system is starting up")
        let check = SQLCheck(name: "alive", query: "SELECT 1", expect: "1")
        let outcome = runner(fixture).sql(check, connection: try target())
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(
            outcome.detail,
            "could not connect to 'postgres@127.0.0.1:54400/shop': the database system is starting up")
    }

    // MARK: amcheck

    static let indexQuery: ScriptedPostgres.Pattern =
        .prefix("SELECT c.oid::text, c.oid::regclass::text FROM pg_index i")
    static let tableQuery: ScriptedPostgres.Pattern =
        .prefix("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c")

    func testAmcheckNamesTheCorruptIndexes() throws {
        let fixture = try PostgresSeamFixture()
        let corrupt = "heap tuple (0,7) from table \"orders\" lacks matching index tuple within index \"orders_pkey\""
        fixture.server
            .expectCommand("CREATE EXTENSION IF NOT EXISTS amcheck")
            .expect(Self.indexQuery, returning: [["16390", "orders_pkey"], ["16392", "customers_pkey"]])
            .expect(
                "SELECT bt_index_check(index => 16390::oid, heapallindexed => true)",
                failing: .queryFailed(sqlState: "XX002", detail: corrupt)
            )
            .expect("SELECT bt_index_check(index => 16392::oid, heapallindexed => true)", returning: [[""]])
        let outcome = runner(fixture).amcheck(database: "shop", connection: try target())
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.name, "amcheck shop")
        XCTAssertEqual(
            outcome.detail,
            "1 of 2 btree indexes are corrupt: orders_pkey: query failed with sqlstate 'XX002': \(corrupt)")
    }

    func testAmcheckPassesWhenEveryIndexChecks() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expectCommand("CREATE EXTENSION IF NOT EXISTS amcheck")
            .expect(Self.indexQuery, returning: [["16390", "orders_pkey"]])
            .expect(.prefix("SELECT bt_index_check("), returning: [[""]])
        let outcome = runner(fixture).amcheck(database: "shop", connection: try target())
        XCTAssertTrue(outcome.passed)
        XCTAssertEqual(outcome.detail, "1 btree indexes checked")
    }

    // MARK: full read

    func testFullReadAddsUpRowsAndNamesUnreadableTables() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expect(Self.tableQuery, returning: [["public.orders"], ["public.customers"]])
            .expect(
                "SELECT count(*)::text, coalesce(sum(length(t::text)), 0)::text FROM public.orders AS t",
                returning: [["1200", "96000"]]
            )
            .expect(
                "SELECT count(*)::text, coalesce(sum(length(t::text)), 0)::text FROM public.customers AS t",
                failing: .queryFailed(
                    sqlState: "XX001",
                    detail: "invalid page in block 3 of relation base/16384/16401"))
        let outcome = runner(fixture).fullRead(database: "shop", connection: try target())
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(
            outcome.detail,
            "1 of 2 tables could not be read: public.customers: query failed with sqlstate "
                + "'XX001': invalid page in block 3 of relation base/16384/16401")
    }

    func testFullReadReportsWhatItRead() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expect(Self.tableQuery, returning: [["public.orders"]])
            .expect(
                .prefix("SELECT count(*)::text, coalesce(sum(length(t::text)), 0)::text FROM"),
                returning: [["1200", "96000"]])
        let outcome = runner(fixture).fullRead(database: "shop", connection: try target())
        XCTAssertTrue(outcome.passed)
        XCTAssertEqual(outcome.detail, "1 tables, 1200 rows, \(Format.bytes(96000)) of row text read")
    }

    // MARK: heartbeat

    func testNewestHeartbeatIsTheRecoveryPoint() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expect("SELECT to_regclass('lifeboat.heartbeat') IS NOT NULL", returning: [["t"]])
            .expect("SELECT extract(epoch FROM max(at))::text FROM lifeboat.heartbeat", returning: [["1795230840.25"]])
        XCTAssertEqual(try Heartbeat.newest(fixture.server.session()), Date(timeIntervalSince1970: 1795230840.25))
    }

    func testDatabaseWithoutHeartbeatsHasNoRecoveryPointFromThem() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server.expect("SELECT to_regclass('lifeboat.heartbeat') IS NOT NULL", returning: [["f"]])
        XCTAssertNil(try Heartbeat.newest(fixture.server.session()))
        XCTAssertEqual(fixture.server.exchanges.count, 1, "no table, no second question")
    }

    func testHeartbeatIsWrittenWithTheServersClockAndAQuotedHost() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expectCommand(.prefix("CREATE SCHEMA IF NOT EXISTS lifeboat; CREATE TABLE IF NOT EXISTS lifeboat."))
            .expect(
                .sql(
                    "INSERT INTO lifeboat.heartbeat (host) VALUES ('db''s host') "
                        + "RETURNING extract(epoch FROM at)::text"), returning: [["1795230900.5"]])
        XCTAssertEqual(
            try Heartbeat.write(fixture.server.session(), host: "db's host"),
            Date(timeIntervalSince1970: 1795230900.5))
    }

    /// `lifeboat heartbeat --database NAME` writes into that database of the configured server.
    func testHeartbeatCommandWritesIntoTheNamedDatabase() throws {
        let fixture = try PostgresSeamFixture()
        fixture.server
            .expectCommand(.prefix("CREATE SCHEMA IF NOT EXISTS lifeboat;"))
            .expect(.prefix("INSERT INTO lifeboat.heartbeat (host) VALUES ("), returning: [["1795230960"]])
        let at = try HeartbeatWriter.write(
            url: PostgresSeamFixture.sourceURL, database: "shop",
            postgres: fixture.server.connector)
        XCTAssertEqual(at, Date(timeIntervalSince1970: 1_795_230_960))
        XCTAssertEqual(fixture.server.connections.map(\.database), ["shop"])
        XCTAssertEqual(fixture.server.openSessions, 0)
    }
}
