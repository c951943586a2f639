// TestServer: the real PostgreSQL the integration tests run against, named by LIFEBOAT_TEST_PG_URL. A missing
// server is a test failure, never a skip, so a green run always means the tests talked to PostgreSQL.
import Foundation
import PGClient
import XCTest

enum TestServer {
    struct NotConfigured: Error {}

    static let urlVariable = "LIFEBOAT_TEST_PG_URL"

    static func connect(file: StaticString = #filePath, line: UInt = #line) throws -> PGConnection {
        try PGConnection(info(file: file, line: line))
    }

    static func info(file: StaticString = #filePath, line: UInt = #line) throws -> ConnectionInfo {
        guard let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty else {
            XCTFail(
                "\(urlVariable) is not set: start a scratch server with `scripts/pg-scratch.sh start DIR` and run "
                    + "`\(urlVariable)=$(scripts/pg-scratch.sh url DIR) swift test` (or use scripts/test.sh)",
                file: file, line: line)
            throw NotConfigured()
        }
        return try ConnectionInfo(url)
    }
}
