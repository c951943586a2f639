// ConnectionInfoTests: parsing through libpq, libpq quoting, redaction. No server needed.
import Diagnostics
import PGClient
import XCTest

final class ConnectionInfoTests: XCTestCase {
    func testParsesURL() throws {
        let info = try ConnectionInfo("postgresql://alice:s3cret-pw@db.example.com:6543/sales?sslmode=require")
        XCTAssertEqual(
            info.parameters,
            [
                "user": "alice", "password": "s3cret-pw", "host": "db.example.com", "port": "6543",
                "dbname": "sales", "sslmode": "require",
            ])
        XCTAssertEqual(info.password, "s3cret-pw")
        XCTAssertEqual(info.database, "sales")
    }

    func testParsesKeywordForm() throws {
        let info = try ConnectionInfo("host=/tmp/sock port=5433 dbname='my db' user=bob")
        XCTAssertEqual(info.parameters, ["host": "/tmp/sock", "port": "5433", "dbname": "my db", "user": "bob"])
        XCTAssertNil(info.password)
    }

    func testEmptyValuesAreDropped() throws {
        let info = try ConnectionInfo("host=localhost password='' dbname=x")
        XCTAssertEqual(info.parameters, ["host": "localhost", "dbname": "x"])
    }

    func testKeywordStringQuotesPerLibpqRules() throws {
        let info = try ConnectionInfo("postgresql://postgres@127.0.0.1:5432/postgres")
        XCTAssertEqual(info.keywordString, "host='127.0.0.1' port='5432' user='postgres' dbname='postgres'")
        let tricky = info.with(database: #"it's a \ db"#)
        XCTAssertTrue(tricky.keywordString.hasSuffix(#"dbname='it\'s a \\ db'"#), tricky.keywordString)
    }

    func testRoundTripThroughKeywordStringWithTrickyValues() throws {
        // dbname is "my db 'quoted' \back\slash"; the password has a quote, a backslash and a space.
        let url =
            "postgresql://u%20ser:p%27w%5C%20x@127.0.0.1:5432/my%20db%20%27quoted%27%20%5Cback%5Cslash"
            + "?application_name=a%3Db&connect_timeout=7"
        let info = try ConnectionInfo(url)
        XCTAssertEqual(info.database, #"my db 'quoted' \back\slash"#)
        XCTAssertEqual(info.password, #"p'w\ x"#)
        XCTAssertEqual(info.parameters["user"], "u ser")
        XCTAssertEqual(info.parameters["application_name"], "a=b")
        let reparsed = try ConnectionInfo(info.keywordString)
        XCTAssertEqual(reparsed.parameters, info.parameters)
        XCTAssertEqual(reparsed, info)
    }

    func testRoundTripOfKeywordInputWithQuotesAndBackslashes() throws {
        let info = try ConnectionInfo(#"dbname='a \'b\' \\c' host=localhost options='-c search_path=x'"#)
        XCTAssertEqual(info.database, #"a 'b' \c"#)
        XCTAssertEqual(try ConnectionInfo(info.keywordString).parameters, info.parameters)
    }

    func testWithoutPasswordAndWithParameter() throws {
        let info = try ConnectionInfo("postgresql://alice:s3cret-pw@db.example.com/sales")
        let bare = info.withoutPassword()
        XCTAssertNil(bare.password)
        XCTAssertFalse(bare.keywordString.contains("s3cret-pw"))
        XCTAssertTrue(info.keywordString.contains("password='s3cret-pw'"))
        XCTAssertEqual(bare.parameters["user"], "alice")
        XCTAssertEqual(info.with(database: "other").database, "other")
        XCTAssertEqual(info.withParameter("sslmode", "disable").parameters["sslmode"], "disable")
        XCTAssertNil(info.withParameter("host", "").parameters["host"])
        XCTAssertNil(info.withParameter("host", nil).parameters["host"])
        XCTAssertEqual(info.password, "s3cret-pw", "the original is a value and stays unchanged")
    }

    func testDescriptionIsRedacted() throws {
        let info = try ConnectionInfo("postgresql://alice:s3cret-pw@db.example.com:6543/sales")
        XCTAssertEqual(info.description, "alice@db.example.com:6543/sales")
        XCTAssertEqual(String(describing: info), "alice@db.example.com:6543/sales")
        XCTAssertFalse(String(reflecting: info).contains("s3cret-pw"))
        var dumped = ""
        dump(info, to: &dumped)
        XCTAssertFalse(dumped.contains("s3cret-pw"), dumped)
        XCTAssertEqual(try ConnectionInfo("dbname=x").description, "(default host)/x")
        XCTAssertEqual(try ConnectionInfo("postgresql://u@a:1,b:2/d").description, "u@a:1,b:2/d")
    }

    func testInvalidStringsAreUsageErrors() throws {
        for string in ["host=localhost bogus", "hots=localhost", "postgresql://[::1", "dbname='unterminated"] {
            XCTAssertThrowsError(try ConnectionInfo(string), string) { error in
                guard case PGError.invalidConnectionString = error else {
                    return XCTFail("expected invalidConnectionString for \(string), got \(error)")
                }
                XCTAssertEqual((error as? LifeboatError)?.exitStatus, .usage)
            }
        }
    }

    func testInvalidStringReasonKeepsKeywordTypos() throws {
        XCTAssertThrowsError(try ConnectionInfo("hots=localhost")) { error in
            XCTAssertEqual(
                (error as? PGError)?.message, #"invalid connection string: invalid connection option "hots""#)
        }
    }

    func testInvalidStringReasonNeverEchoesThePassword() throws {
        let strings = [
            "postgresql://postgres:s3cret-pw@[::1/db",  // libpq echoes the whole URL
            "postgresql://postgres:s3cret-pw@host/db?sslmode",  // and the query parameter
            "postgresql://h/db?password=s3cret%zzpw",  // and the bad percent token
            "host=h password=s3cret -pw",  // missing "=" after "-pw"
            "host=h password=s3cret \"-pw",
            "host=h password=s3cret -pw\"x",
        ]
        for string in strings {
            XCTAssertThrowsError(try ConnectionInfo(string), string) { error in
                let text = String(describing: error)
                XCTAssertTrue(text.hasPrefix("invalid connection string: "), text)
                XCTAssertFalse(text.contains("s3cret"), text)
                XCTAssertFalse(text.contains("pw"), text)
            }
        }
    }

    func testNulCharacterIsRejected() {
        XCTAssertThrowsError(try ConnectionInfo("host=a\u{0}b")) { error in
            guard case PGError.invalidConnectionString = error else { return XCTFail("got \(error)") }
        }
    }
}
