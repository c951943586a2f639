// ScriptedPostgresTests: the scripted fake behind PostgresSession keeps its promises — matching as documented,
// loud failure on an unscripted statement, a record of what was asked — and quotes exactly as libpq does, so engine
// tests that script quoted statements describe what the real server would receive.
import Foundation
import PGClient
import PostgresTestSupport
import XCTest

final class ScriptedPostgresTests: XCTestCase {
    func testMatchingIgnoresWhitespaceAndFollowsTheScriptOrder() throws {
        let server = ScriptedPostgres()
        server
            .expect("SELECT a FROM t WHERE x = $1", parameters: ["1"], times: 1, returning: [["first"]])
            .expect(.prefix("SELECT a FROM t"), returning: [["any"]], columns: ["a"])
            .expect(.containing("pg_stat_archiver"), failing: .queryFailed(sqlState: "42501", detail: "denied"))
        let session = server.session()
        XCTAssertEqual(try session.query("SELECT a\n   FROM t\tWHERE x = $1", ["1"]).rows, [["first"]])
        let second = try session.query("SELECT a FROM t WHERE x = $1", ["1"])
        XCTAssertEqual(second.rows, [["any"]], "the first expectation answers once, then the next one matches")
        XCTAssertEqual(second[0, "a"], "any")
        XCTAssertThrowsError(try session.query("SELECT * FROM pg_stat_archiver")) { error in
            XCTAssertEqual(error as? PGError, .queryFailed(sqlState: "42501", detail: "denied"))
        }
        XCTAssertEqual(
            server.statements,
            [
                "SELECT a FROM t WHERE x = $1", "SELECT a FROM t WHERE x = $1",
                "SELECT * FROM pg_stat_archiver",
            ])
        XCTAssertEqual(server.exchanges.map(\.parameters), [["1"], ["1"], []])
        XCTAssertTrue(server.unused.isEmpty)
    }

    func testUnscriptedStatementFailsTheTestAndThrows() throws {
        let server = ScriptedPostgres()
        let reported = Reported()
        server.onUnexpected = { message, _, _ in reported.append(message) }
        server.expect("SELECT 1", database: "app", returning: [["1"]])
        let session = server.session(database: "postgres")
        XCTAssertThrowsError(try session.query("SELECT 1")) { error in
            guard case .queryFailed("XX000", let detail)? = error as? PGError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("unexpected query on database 'postgres': 'SELECT 1'"), detail)
        }
        // `try?` in the code under test cannot hide it: the test is told either way.
        try? session.execute("DROP TABLE t")
        XCTAssertEqual(reported.messages.count, 2)
        XCTAssertEqual(server.unexpected.map(\.sql), ["SELECT 1", "DROP TABLE t"])
        XCTAssertEqual(server.unused.map(\.description), ["sql 'SELECT 1'"])
    }

    func testConnectorRecordsConnectionsRefusesOnRequestAndTracksClosing() throws {
        let server = ScriptedPostgres(serverVersionNumber: 160003)
        let info = try ConnectionInfo("postgresql://alice@db.example:5432/app")
        let session = try server.connector.connect(info, applicationName: "lifeboat check")
        XCTAssertEqual(session.serverVersionNumber, 160003)
        XCTAssertEqual(server.openSessions, 1)
        session.close()
        XCTAssertEqual(server.openSessions, 0)
        XCTAssertEqual(session.serverVersionNumber, 0, "a closed session reports no version, as PGConnection does")
        XCTAssertThrowsError(try session.query("SELECT 1")) { error in
            XCTAssertEqual(error as? PGError, .unexpectedResult("the connection is already closed"))
        }
        server.refuseConnections("connection refused")
        XCTAssertThrowsError(try server.connector.connect(info)) { error in
            XCTAssertEqual(
                (error as? PGError)?.message,
                "could not connect to 'alice@db.example:5432/app': connection refused")
        }
        XCTAssertEqual(
            server.connections,
            [
                ScriptedPostgres.Connection(database: "app", user: "alice", applicationName: "lifeboat check"),
                ScriptedPostgres.Connection(database: "app", user: "alice", applicationName: "lifeboat"),
            ])
        XCTAssertEqual(server.openSessions, 0)
        XCTAssertTrue(server.exchanges.isEmpty, "the refused statement never reached the server")
    }

    /// The fake's quoting must be libpq's, or scripted statements would differ from what a server receives.
    func testQuotingMatchesLibpq() throws {
        let connection = try TestServer.connect()
        defer { connection.close() }
        for text in ["plain", "Mixed Case", "we\"ird", "it's", "back\\slash", "both ' and \\", "", "ünïcode 🚀"] {
            XCTAssertEqual(ScriptedPostgres.quoteIdentifier(text), try connection.quoteIdentifier(text), text)
            XCTAssertEqual(ScriptedPostgres.quoteLiteral(text), try connection.quoteLiteral(text), text)
        }
    }
}

/// Messages collected from a @Sendable callback.
private final class Reported: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    func append(_ message: String) {
        lock.lock()
        collected.append(message)
        lock.unlock()
    }

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return collected
    }
}
