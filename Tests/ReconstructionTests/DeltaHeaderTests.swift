// DeltaHeaderTests: both delta forms' headers parse as docs/format.md §6.5 says, and every inconsistency is a
// DeltaEntryError (an integrity failure, exit 4).
import Catalog
import Diagnostics
import TestSupport
import XCTest

@testable import Reconstruction

final class DeltaHeaderTests: XCTestCase {
    func testIncrementalHeaderLayout() throws {
        let bytes = DeltaBytes.incremental(truncation: 7, blocks: [(3, DeltaBytes.block(1)), (9, DeltaBytes.block(2))])
        let header = try IncrementalFileHeader(fixed: Array(bytes[0..<12]))
        XCTAssertEqual(header.blockCount, 2)
        XCTAssertEqual(header.truncationBlockLength, 7)
        XCTAssertEqual(header.headerSize, 8192, "12 + 8 bytes padded to one block")
        XCTAssertEqual(header.paddingSize, 8192 - 20)
        XCTAssertEqual(header.entrySize, Int64(bytes.count))
        XCTAssertNoThrow(try header.check(entrySize: Int64(bytes.count)))
        let numbers = try header.blockNumbers(Array(bytes[12..<20]))
        XCTAssertEqual(numbers, [3, 9])
        XCTAssertEqual(header.length(blocks: numbers), 10, "L = max(T, largest + 1)")
        XCTAssertEqual(header.length(blocks: [2]), 7, "T when every block lies below it")
        XCTAssertNoThrow(try header.checkPadding(Array(bytes[20..<8192])))
    }

    func testAnIncrementalWithoutBlocksHasNoPadding() throws {
        let bytes = DeltaBytes.incremental(truncation: 0, blocks: [])
        let header = try IncrementalFileHeader(fixed: bytes)
        XCTAssertEqual(bytes.count, 12)
        XCTAssertEqual(header.headerSize, 12)
        XCTAssertEqual(header.entrySize, 12)
        XCTAssertEqual(header.length(blocks: []), 0)
    }

    func testIncrementalHeaderCorruption() throws {
        let good = DeltaBytes.incremental(truncation: 4, blocks: [(1, DeltaBytes.block(1))])
        assertDelta(
            try IncrementalFileHeader(fixed: DeltaBytes.incremental(truncation: 4, blocks: [], magic: 0x1234)),
            "bad magic")
        assertDelta(try IncrementalFileHeader(fixed: Array(good[0..<11])), "shorter")
        var tooMany = good
        tooMany.replaceSubrange(4..<8, with: DeltaBytes.uint32(200_000))
        assertDelta(try IncrementalFileHeader(fixed: Array(tooMany[0..<12])), "more than a segment")
        var longTruncation = good
        longTruncation.replaceSubrange(8..<12, with: DeltaBytes.uint32(131_073))
        assertDelta(try IncrementalFileHeader(fixed: Array(longTruncation[0..<12])), "truncation length")

        let header = try IncrementalFileHeader(fixed: Array(good[0..<12]))
        assertDelta(try header.check(entrySize: Int64(good.count) - 1), "header describes")
        assertDelta(try header.check(entrySize: Int64(good.count) + 8192), "header describes")
        assertDelta(try header.blockNumbers(DeltaBytes.uint32(131_072)), "out of range")
        assertDelta(try header.blockNumbers([1, 2]), "cut short")
        var padding = Array(good[16..<8192])
        padding[5] = 1
        assertDelta(try header.checkPadding(padding), "padding")

        let twice = DeltaBytes.incremental(truncation: 4, blocks: [(2, DeltaBytes.block(1)), (2, DeltaBytes.block(2))])
        let twiceHeader = try IncrementalFileHeader(fixed: Array(twice[0..<12]))
        assertDelta(try twiceHeader.blockNumbers(Array(twice[12..<20])), "stored twice")
    }

    func testLBDeltaHeaderLayout() throws {
        let bytes = DeltaBytes.lbdelta(length: 10, blocks: [(0, DeltaBytes.block(5)), (9, DeltaBytes.block(0))])
        let header = try LBDeltaHeader(Array(bytes[0..<16]))
        XCTAssertEqual(header.length, 10)
        XCTAssertEqual(header.bitmapSize, 2)
        XCTAssertEqual(header.entrySize, Int64(16 + 10 * 8192 + 2))
        XCTAssertEqual(header.entrySize, Int64(bytes.count))
        let stored = try header.storedBlocks(Array(bytes[(bytes.count - 2)...]))
        XCTAssertEqual(stored.elements, [0, 9], "a stored zero block is marked like any other")
    }

    func testLBDeltaHeaderCorruption() throws {
        let good = DeltaBytes.lbdelta(length: 3, blocks: [(1, DeltaBytes.block(1))])
        var magic = good
        magic[7] = UInt8(ascii: "2")
        assertDelta(try LBDeltaHeader(Array(magic[0..<16])), "bad magic")
        var blockSize = good
        blockSize.replaceSubrange(12..<16, with: DeltaBytes.uint32(4096))
        assertDelta(try LBDeltaHeader(Array(blockSize[0..<16])), "block size")
        var length = good
        length.replaceSubrange(8..<12, with: DeltaBytes.uint32(131_073))
        assertDelta(try LBDeltaHeader(Array(length[0..<16])), "exceeds a segment")
        let header = try LBDeltaHeader(Array(good[0..<16]))
        assertDelta(try header.check(entrySize: Int64(good.count - 1)), "header describes")
        assertDelta(try header.storedBlocks([0b0000_1000]), "past its length")
        assertDelta(try header.storedBlocks([]), "cut short")
    }

    func testLBDeltaPartHeaderLayout() throws {
        let bytes = DeltaBytes.lbdeltaPart(
            length: 10, blocks: [(0, DeltaBytes.block(5)), (9, DeltaBytes.block(0))], last: true)
        let header = try LBDeltaPartHeader(Array(bytes[0..<24]))
        XCTAssertEqual(header.length, 10)
        XCTAssertEqual(header.count, 2)
        XCTAssertTrue(header.isLast)
        XCTAssertEqual(header.entrySize, Int64(bytes.count))
        XCTAssertEqual(try header.blockNumbers(Array(bytes[24..<32]), after: -1), [0, 9])
        let middle = try LBDeltaPartHeader(
            Array(DeltaBytes.lbdeltaPart(length: 10, blocks: [(3, DeltaBytes.block(1))], last: false)[0..<24]))
        XCTAssertFalse(middle.isLast)
        XCTAssertEqual(try middle.blockNumbers(DeltaBytes.uint32(3), after: 2), [3])
    }

    func testLBDeltaPartHeaderCorruption() throws {
        let good = DeltaBytes.lbdeltaPart(length: 3, blocks: [(1, DeltaBytes.block(1))], last: true)
        func changed(_ range: Range<Int>, _ value: UInt32) -> [UInt8] {
            var bytes = Array(good[0..<24])
            bytes.replaceSubrange(range, with: DeltaBytes.uint32(value))
            return bytes
        }
        assertDelta(try LBDeltaPartHeader(Array("LBDELTA1".utf8) + good[8..<24]), "bad magic")
        assertDelta(try LBDeltaPartHeader(changed(12..<16, 4096)), "block size")
        assertDelta(try LBDeltaPartHeader(changed(8..<12, 131_073)), "exceeds a segment")
        assertDelta(try LBDeltaPartHeader(changed(16..<20, 129)), "at most 128")
        assertDelta(try LBDeltaPartHeader(changed(16..<20, 4)), "3 in the file")
        assertDelta(try LBDeltaPartHeader(changed(20..<24, 3)), "unknown flags")
        assertDelta(try LBDeltaPartHeader(Array(good[0..<20])), "shorter")
        let header = try LBDeltaPartHeader(Array(good[0..<24]))
        assertDelta(try header.check(entrySize: Int64(good.count + 1)), "header describes")
        assertDelta(try header.blockNumbers(DeltaBytes.uint32(1), after: 1), "must increase")
        assertDelta(try header.blockNumbers(DeltaBytes.uint32(3), after: -1), "past its length 3")
        assertDelta(try header.blockNumbers([1, 0], after: -1), "cut short")
    }

    func testDeltaErrorsAreIntegrityFailuresAndNameTheirPlace() {
        let error = DeltaEntryError("bad magic").located("entry 'base/5/LBDELTA.1'").located("object 'k'")
        XCTAssertEqual(error.exitStatus, .integrity)
        XCTAssertEqual(error.message, "corrupt delta entry: in object 'k': in entry 'base/5/LBDELTA.1': bad magic")
    }

    func assertDelta<T>(
        _ expression: @autoclosure () throws -> T, _ fragment: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard let delta = error as? DeltaEntryError else {
                return XCTFail("not a DeltaEntryError: \(error)", file: file, line: line)
            }
            XCTAssertTrue(
                delta.detail.contains(fragment), "\(delta.detail) lacks '\(fragment)'", file: file, line: line)
        }
    }
}
