// ReplicationMessageTests: the bytes of physical streaming replication, against hand-built messages of the
// layout PostgreSQL documents (big-endian integers, microseconds since 2000-01-01).
import Foundation
import PGClient
import XCTest

final class ReplicationMessageTests: XCTestCase {
    func bigEndian(_ value: UInt64) -> [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    func testWALDataCarriesPositionsTimeAndBytes() throws {
        // 2026-01-01T00:00:00Z is 820,540,800 s after PostgreSQL's epoch.
        let bytes: [UInt8] =
            [UInt8(ascii: "w")] + bigEndian(0x1_0000_0028) + bigEndian(0x1_0000_0100) + bigEndian(820_540_800_000_000)
            + [1, 2, 3]
        try bytes.withUnsafeBytes { buffer in
            guard case .walData(let start, let end, let at, let data) = try ReplicationMessage.parse(buffer) else {
                return XCTFail("not WAL data")
            }
            XCTAssertEqual(start, 0x1_0000_0028)
            XCTAssertEqual(end, 0x1_0000_0100)
            XCTAssertEqual(at.timeIntervalSince1970, 1_767_225_600, accuracy: 0.000_001)
            XCTAssertEqual(Array(data), [1, 2, 3])
        }
    }

    func testKeepaliveAndItsReplyFlag() throws {
        for flag: UInt8 in [0, 1] {
            let bytes = [UInt8(ascii: "k")] + bigEndian(0x3000000) + bigEndian(0) + [flag]
            try bytes.withUnsafeBytes { buffer in
                guard case .keepalive(let end, let at, let reply) = try ReplicationMessage.parse(buffer) else {
                    return XCTFail("not a keepalive")
                }
                XCTAssertEqual(end, 0x3000000)
                XCTAssertEqual(at.timeIntervalSince1970, 946_684_800)
                XCTAssertEqual(reply, flag == 1)
            }
        }
    }

    func testShortOrUnknownMessagesAreRefused() {
        for bytes in [[UInt8(ascii: "w")] + bigEndian(1), [UInt8(ascii: "k")] + bigEndian(1), [UInt8(ascii: "x")], []] {
            XCTAssertThrowsError(try bytes.withUnsafeBytes { try ReplicationMessage.parse($0) }, "\(bytes)")
        }
    }

    func testStatusUpdateLayout() {
        let at = Date(timeIntervalSince1970: 946_684_800 + 2)
        let bytes = ReplicationMessage.statusUpdate(written: 0x500, flushed: 0x400, at: at, replyRequested: true)
        XCTAssertEqual(bytes.count, 34)
        XCTAssertEqual(bytes[0], UInt8(ascii: "r"))
        XCTAssertEqual(Array(bytes[1..<9]), bigEndian(0x500))
        XCTAssertEqual(Array(bytes[9..<17]), bigEndian(0x400))
        XCTAssertEqual(Array(bytes[17..<25]), bigEndian(0))
        XCTAssertEqual(Array(bytes[25..<33]), bigEndian(2_000_000))
        XCTAssertEqual(bytes[33], 1)
    }
}
