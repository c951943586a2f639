// WALTestSegment: small WAL segment files for engine tests: 1 MiB (PostgreSQL's smallest segment size) with a valid
// long page header, of timeline 1 and database system 77.
import Catalog
import Foundation
import XCTest

enum WALTestSegment {
    static let size = 1 << 20

    static func name(_ number: UInt64) -> WALName {
        WALName(LSN.segmentName(timeline: 1, segment: number, segmentSize: UInt64(size)))!
    }

    /// Writes segment `number` into `directory`; returns its path.
    static func write(_ number: UInt64, in directory: String) throws -> String {
        var bytes = [UInt8](repeating: 0, count: size)
        func put(_ value: UInt64, at offset: Int, width: Int) {
            for index in 0..<width { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        }
        put(0xD110, at: 0, width: 2)
        put(0x0002, at: 2, width: 2)  // long header
        put(1, at: 4, width: 4)
        put(number * UInt64(size), at: 8, width: 8)
        put(77, at: 24, width: 8)
        put(UInt64(size), at: 32, width: 4)
        put(8192, at: 36, width: 4)
        let path = directory + "/" + name(number).rawValue
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }
}
