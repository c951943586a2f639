// WALCompressionLevelTests: WAL objects are compressed at wal.compression_level, 1 unless set, whatever
// compression.level is (docs/configuration.md); each record names the level used.
import Catalog
import Foundation
import XCTest

@testable import Engine

final class WALCompressionLevelTests: XCTestCase {
    func pushedLevel(configuration extra: String) throws -> Int {
        let history = try InMemoryHistory(configuration: extra)
        let archive = WALArchive(
            context: history.context, repository: history.catalog.repository, keyring: history.catalog.keyring)
        let directory = NSTemporaryDirectory() + "wal-level-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try archive.push(path: try WALTestSegment.write(3, in: directory))
        return try XCTUnwrap(try archive.record(WALTestSegment.name(3))).compression.level
    }

    func testLevelOneUnlessSet() throws {
        XCTAssertEqual(try pushedLevel(configuration: "compression: { algorithm: zstd, level: 3 }"), 1)
        XCTAssertEqual(try pushedLevel(configuration: "compression: { algorithm: zstd, level: 9 }"), 1)
        XCTAssertEqual(
            try pushedLevel(configuration: "compression: { algorithm: zstd, level: 3 }\nwal: { compression_level: 3 }"),
            3)
        XCTAssertEqual(try pushedLevel(configuration: "wal: { compression_level: -1 }"), -1)
    }
}
