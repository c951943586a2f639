// RowCountCheck: the logical restore's own verification. Every table is counted once, on as many sessions as
// jobs (never more than tables), a count that differs from the backup's or a table that cannot be read is named,
// and the rows add up.
import Catalog
import Foundation
import PGClient
import PostgresTestSupport
import XCTest

@testable import Engine

final class RowCountCheckTests: XCTestCase {
    static let tables = [
        TableCount(schema: "public", table: "small", rows: 3), TableCount(schema: "public", table: "big", rows: 900),
        TableCount(schema: "app", table: "mid", rows: 40), TableCount(schema: "app", table: "gone", rows: 1),
    ]

    func server(big: String = "900") -> ScriptedPostgres {
        let server = ScriptedPostgres()
        server.expectCommand("SET statement_timeout = 0")
        server.expect(#"SELECT count(*) FROM "public"."small""#, times: 1, returning: [["3"]])
        server.expect(#"SELECT count(*) FROM "public"."big""#, times: 1, returning: [[big]])
        server.expect(#"SELECT count(*) FROM "app"."mid""#, times: 1, returning: [["40"]])
        server.expect(
            #"SELECT count(*) FROM "app"."gone""#, times: 1,
            failing: PGError.queryFailed(sqlState: "42P01", detail: "relation \"app.gone\" does not exist"))
        return server
    }

    func check(_ server: ScriptedPostgres, jobs: Int) -> RowCountCheck {
        let connector = server.connector
        let target = try! ConnectionInfo("postgresql://postgres@127.0.0.1:1/shop")
        return RowCountCheck(connect: { try connector.connect(target) }, jobs: jobs)
    }

    func testEveryTableIsCountedOnceAndDifferencesAreNamed() throws {
        for jobs in [1, 2, 8] {
            let server = server(big: "899")
            let outcome = try check(server, jobs: jobs).run(Self.tables)
            XCTAssertEqual(outcome.rows, 3 + 899 + 40, "jobs \(jobs)")
            XCTAssertEqual(
                Set(outcome.mismatches),
                [
                    "public.big has 899 rows, backup recorded 900",
                    "app.gone is unreadable (query failed with sqlstate '42P01': relation \"app.gone\" does not exist)",
                ], "jobs \(jobs)")
            XCTAssertEqual(server.count(.prefix("SELECT count(*)")), 4, "each table once, jobs \(jobs)")
            XCTAssertEqual(server.count("SET statement_timeout = 0"), min(jobs, 4), "one session per job, jobs \(jobs)")
        }
    }

    func testNoTablesStillOpensOneSessionAndFindsNothing() throws {
        let server = ScriptedPostgres()
        server.expectCommand("SET statement_timeout = 0")
        let outcome = try check(server, jobs: 4).run([])
        XCTAssertEqual(outcome.rows, 0)
        XCTAssertEqual(outcome.mismatches, [])
    }
}
