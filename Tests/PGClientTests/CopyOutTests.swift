// CopyOutTests: multi-result answers with a COPY OUT stream (against the scratch server), and the pure parsing
// of BASE_BACKUP stream messages.
import PGClient
import XCTest

final class CopyOutTests: XCTestCase {
    func testCopyOutStreamThenCompletion() throws {
        let connection = try TestServer.connect()
        try connection.send("COPY (SELECT i, 'row ' || i FROM generate_series(1, 3) AS i) TO STDOUT")
        XCTAssertEqual(try connection.nextResult(), .copyOut)
        var lines: [String] = []
        while let message = try connection.readCopyDataMessage() {
            lines.append(String(decoding: message.bytes, as: UTF8.self))
        }
        XCTAssertEqual(lines, ["1\trow 1\n", "2\trow 2\n", "3\trow 3\n"])
        guard case .rows(let done)? = try connection.nextResult() else { return XCTFail("no completion") }
        XCTAssertEqual(done.affectedRows, 3)
        XCTAssertNil(try connection.nextResult())
        XCTAssertEqual(try connection.query("select 1").rows, [["1"]], "the connection stays usable")
    }

    func testErrorInMultiResultAnswerLeavesConnectionUsable() throws {
        let connection = try TestServer.connect()
        try connection.send("COPY (SELECT 1/0) TO STDOUT")
        XCTAssertThrowsError(
            try {
                while let result = try connection.nextResult() {
                    if result == .copyOut { while try connection.readCopyDataMessage() != nil {} }
                }
            }())
        XCTAssertEqual(try connection.query("select 2").rows, [["2"]])
    }

    func testBaseBackupMessages() throws {
        func parse(_ bytes: [UInt8]) throws -> BaseBackupMessage {
            try bytes.withUnsafeBytes { try BaseBackupMessage.parse($0) }
        }
        guard case .newArchive(let name, let location) = try parse(Array("n16385.tar\0/srv/ts one\0".utf8)) else {
            return XCTFail()
        }
        XCTAssertEqual(name, "16385.tar")
        XCTAssertEqual(location, "/srv/ts one")
        guard case .newArchive(let base, let empty) = try parse(Array("nbase.tar\0\0".utf8)) else { return XCTFail() }
        XCTAssertEqual(base, "base.tar")
        XCTAssertEqual(empty, "")
        guard case .progress(let done) = try parse([0x70, 0, 0, 0, 0, 0, 1, 0, 2]) else { return XCTFail() }
        XCTAssertEqual(done, 65538)
        guard case .manifest = try parse([0x6d]) else { return XCTFail() }
        let data: [UInt8] = [0x64, 1, 2, 3]
        try data.withUnsafeBytes { raw in
            guard case .data(let body) = try BaseBackupMessage.parse(raw) else { return XCTFail() }
            XCTAssertEqual(Array(body), [1, 2, 3])
        }
        XCTAssertThrowsError(try parse([]))
        XCTAssertThrowsError(try parse(Array("nbase.tar".utf8)), "unterminated name")
        XCTAssertThrowsError(try parse([0x70, 1, 2]), "short progress")
        XCTAssertThrowsError(try parse([0x7a]), "unknown type")
    }
}
