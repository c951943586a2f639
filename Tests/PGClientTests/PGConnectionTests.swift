// PGConnectionTests: PGConnection against a real PostgreSQL 15 (see TestServer for how to provide one).
import Diagnostics
import PGClient
import XCTest

final class PGConnectionTests: XCTestCase {
    func testConnectAndSelectOne() throws {
        let connection = try TestServer.connect()
        let result = try connection.query("select 1 as one")
        XCTAssertEqual(result.columns, ["one"])
        XCTAssertEqual(result.rows, [["1"]])
        XCTAssertEqual(result[0, "one"], "1")
        XCTAssertNil(result[1, "one"])
        XCTAssertNil(result[0, "two"])
        XCTAssertTrue((150000..<160000).contains(connection.serverVersionNumber), "\(connection.serverVersionNumber)")
    }

    func testSessionDefaults() throws {
        let connection = try TestServer.connect()
        let result = try connection.query(
            "select current_setting('application_name') as app, "
                + "current_setting('client_encoding') as enc")
        XCTAssertEqual(result[0, "app"], "lifeboat")
        XCTAssertEqual(result[0, "enc"], "UTF8")
        let named = try PGConnection(TestServer.info(), applicationName: "lifeboat-test")
        XCTAssertEqual(try named.query("show application_name").rows, [["lifeboat-test"]])
        let explicit = try PGConnection(TestServer.info().withParameter("application_name", "from-url"))
        XCTAssertEqual(try explicit.query("show application_name").rows, [["from-url"]])
    }

    func testParametersWithNullUnicodeAndQuotes() throws {
        let connection = try TestServer.connect()
        let values: [String?] = [nil, "héllo wörld 🐘 日本", #"it's "quoted" \ back\slash; drop table x; --"#, "42", ""]
        let result = try connection.query(
            "select $1::text as a, $2::text as b, $3::text as c, $4::int + 1 as d, $5::text as e, "
                + "$1::text is null as a_is_null, length($2) as b_len", values)
        XCTAssertEqual(result.rows.count, 1)
        XCTAssertNil(result[0, "a"])
        XCTAssertEqual(result[0, "b"], "héllo wörld 🐘 日本")
        XCTAssertEqual(result[0, "c"], #"it's "quoted" \ back\slash; drop table x; --"#)
        XCTAssertEqual(result[0, "d"], "43")
        XCTAssertEqual(result[0, "e"], "", "an empty string is not NULL")
        XCTAssertEqual(result[0, "a_is_null"], "t")
        XCTAssertEqual(result[0, "b_len"], "16")
    }

    func testByteaAndJsonbComeBackAsText() throws {
        let connection = try TestServer.connect()
        let result = try connection.query(
            #"select '\x00ff10'::bytea as b, '{"k": [1, "x", null], "a": true}'::jsonb as j, null::jsonb as n"#)
        XCTAssertEqual(result[0, "b"], #"\x00ff10"#)
        XCTAssertEqual(result[0, "j"], #"{"a": true, "k": [1, "x", null]}"#)
        XCTAssertNil(result[0, "n"])
    }

    func testSyntaxErrorGivesSQLState() throws {
        let connection = try TestServer.connect()
        XCTAssertThrowsError(try connection.query("selec 1")) { error in
            guard case PGError.queryFailed(let sqlState, let detail) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(sqlState, "42601")
            XCTAssertTrue(detail.contains("syntax error"), detail)
            XCTAssertEqual((error as? LifeboatError)?.exitStatus, .failure)
        }
        XCTAssertThrowsError(try connection.execute("create temp table t (x int); selec 1")) { error in
            XCTAssertEqual(
                error as? PGError, .queryFailed(sqlState: "42601", detail: #"syntax error at or near "selec""#))
        }
        XCTAssertEqual(try connection.query("select 2").rows, [["2"]], "the connection stays usable")
    }

    func testErrorDetailDoesNotQuoteTheStatement() throws {
        let connection = try TestServer.connect()
        XCTAssertThrowsError(try connection.execute("alter role nobody_here password 'hunter2-secret'")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("42704"), text)
            XCTAssertFalse(text.contains("hunter2"), text)
        }
    }

    func testExecuteAndAffectedRows() throws {
        let connection = try TestServer.connect()
        try connection.execute("create temp table items (id int primary key, name text); create index on items (name)")
        let inserted = try connection.query(
            "insert into items select g, 'n' || g from generate_series(1, $1::int) g", ["3"])
        XCTAssertEqual(inserted.affectedRows, 3)
        XCTAssertEqual(try connection.query("update items set name = $1 where id > 1", ["x"]).affectedRows, 2)
        let rows = try connection.query("select id, name from items order by id")
        XCTAssertEqual(rows.columns, ["id", "name"])
        XCTAssertEqual(rows.rows, [["1", "n1"], ["2", "x"], ["3", "x"]])
        XCTAssertEqual(rows.affectedRows, 3)
        XCTAssertEqual(try connection.query("create temp table other (x int)").affectedRows, 0)
        try connection.execute("")
    }

    func testDuplicateKeyReportsItsSQLState() throws {
        let connection = try TestServer.connect()
        try connection.execute("create temp table u (id int primary key); insert into u values (1)")
        XCTAssertThrowsError(try connection.query("insert into u values ($1)", ["1"])) { error in
            guard case PGError.queryFailed(let sqlState, _) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(sqlState, "23505")
        }
    }

    func testQuoteIdentifierAndLiteral() throws {
        let connection = try TestServer.connect()
        let name = try connection.quoteIdentifier(#"we"ird"#)
        XCTAssertEqual(name, #""we""ird""#)
        XCTAssertEqual(try connection.quoteLiteral("it's"), "'it''s'")
        XCTAssertEqual(try connection.quoteLiteral(#"a\b"#), #" E'a\\b'"#)
        try connection.execute("create temp table \(name) (v text)")
        try connection.execute("insert into \(name) values (\(try connection.quoteLiteral(#"it's \ ok"#)))")
        XCTAssertEqual(try connection.query("select v from \(name)").rows, [[#"it's \ ok"#]])
        let tables = try connection.query("select relname from pg_class where relname = $1", [#"we"ird"#])
        XCTAssertEqual(tables.rows, [[#"we"ird"#]])
    }

    func testNulCharacterInParameterIsRejected() throws {
        let connection = try TestServer.connect()
        XCTAssertThrowsError(try connection.query("select $1::text", ["a\u{0}b"])) { error in
            guard case PGError.queryFailed(let sqlState, _) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(sqlState, "22021")
        }
    }

    func testCopyIsRefusedAndConnectionStaysUsable() throws {
        let connection = try TestServer.connect()
        XCTAssertThrowsError(try connection.execute("copy (select g from generate_series(1, 1000) g) to stdout")) {
            guard case PGError.unexpectedResult = $0 else { return XCTFail("got \($0)") }
        }
        XCTAssertEqual(try connection.query("select 3").rows, [["3"]])
        try connection.execute("create temp table c (x int)")
        XCTAssertThrowsError(try connection.execute("copy c from stdin")) {
            guard case PGError.unexpectedResult = $0 else { return XCTFail("got \($0)") }
        }
        XCTAssertEqual(try connection.query("select count(*) from c").rows, [["0"]])
    }

    func testNoticesDoNotReachStderr() throws {
        let connection = try TestServer.connect()
        let captured = try StderrCapture.run {
            try connection.execute("do $$ begin raise notice 'pgclient-notice-marker'; raise warning 'w'; end $$")
            try connection.execute("drop table if exists surely_not_here_pgclient")
        }
        XCTAssertFalse(captured.contains("pgclient-notice-marker"), captured)
        XCTAssertEqual(captured, "")
    }

    func testCloseIsIdempotentAndLaterUseFails() throws {
        let connection = try TestServer.connect()
        connection.close()
        connection.close()
        XCTAssertEqual(connection.serverVersionNumber, 0)
        XCTAssertThrowsError(try connection.query("select 1")) { error in
            guard case PGError.unexpectedResult = error else { return XCTFail("got \(error)") }
        }
    }

    func testWrongPortGivesConnectionFailedWithoutPassword() throws {
        let info = try ConnectionInfo("postgresql://postgres:s3cret-pw@127.0.0.1:1/postgres?connect_timeout=5")
        XCTAssertThrowsError(try PGConnection(info)) { error in
            guard case PGError.connectionFailed(let target, let detail) = error else { return XCTFail("got \(error)") }
            XCTAssertEqual(target, "postgres@127.0.0.1:1/postgres")
            XCTAssertTrue(detail.contains("Connection refused"), detail)
            let text = String(describing: error)
            XCTAssertFalse(text.contains("s3cret-pw"), text)
            XCTAssertTrue(text.contains("\nHINT: "), text)
            XCTAssertEqual((error as? LifeboatError)?.exitStatus, .failure)
        }
    }

    func testMissingDatabaseGivesConnectionFailed() throws {
        let info = try TestServer.info().with(database: "no_such_db_pgclient")
        XCTAssertThrowsError(try PGConnection(info)) { error in
            guard case PGError.connectionFailed(_, let detail) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(detail.contains(#"database "no_such_db_pgclient" does not exist"#), detail)
        }
    }

    func testDatabaseNameIsNotExpandedAsConnectionString() throws {
        let info = try TestServer.info().with(database: "host=10.255.255.1 dbname=postgres")
        XCTAssertThrowsError(try PGConnection(info)) { error in
            guard case PGError.connectionFailed(_, let detail) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(detail.contains("does not exist"), detail)
        }
    }
}
