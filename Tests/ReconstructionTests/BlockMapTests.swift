// BlockMapTests: the per-file bookkeeping of a chain restore (docs/format.md §6.5): which blocks an older backup
// may still supply, how each delta's limit cuts that off, and when a file needs nothing more.
import XCTest

@testable import Reconstruction

final class BlockMapTests: XCTestCase {
    func testANewBlockMapNeedsEveryBlockBelowItsLimit() {
        let map = BlockMap(length: 10, limit: 6)
        XCTAssertEqual(map.missing, 6)
        XCTAssertEqual((0..<10).filter(map.needs), [0, 1, 2, 3, 4, 5], "blocks at or past T are zeros or newer")
        XCTAssertFalse(map.needs(-1))
        XCTAssertEqual(BlockMap(length: 4, limit: 9).limit, 4, "a limit is never past the file's length")
    }

    func testWrittenBlocksAreNotNeededAgain() {
        var map = BlockMap(length: 4, limit: 4)
        map.markWritten(1)
        map.markWritten(1)
        map.markWritten(7)  // past the limit: ignored
        XCTAssertEqual(map.missing, 3)
        XCTAssertFalse(map.needs(1))
        for block in [0, 2, 3] { map.markWritten(block) }
        XCTAssertTrue(map.isComplete)
    }

    /// Three links: the newest delta (L 12, T 10) wrote 2 and 11; the middle one (T 6) wrote 0 and 8 — 8 is below
    /// the newest's limit, so it counts — and lowers the limit to 6; the full may then fill only 1 and 3…5.
    func testLimitsAcrossThreeLinks() {
        var map = BlockMap(length: 12, limit: 10)
        map.markWritten(2)
        map.markWritten(11)
        XCTAssertEqual(map.missing, 9)
        XCTAssertTrue(map.needs(8))
        map.markWritten(0)
        map.markWritten(8)
        map.lowerLimit(to: 6)
        XCTAssertEqual(map.limit, 6)
        XCTAssertEqual((0..<12).filter(map.needs), [1, 3, 4, 5])
        XCTAssertEqual(map.missing, 4)
        map.lowerLimit(to: 9)
        XCTAssertEqual(map.limit, 6, "a limit only ever falls")
        map.lowerLimit(to: 2)
        XCTAssertEqual((0..<12).filter(map.needs), [1])
        map.lowerLimit(to: 0)
        XCTAssertTrue(map.isComplete)
    }

    func testFileTableTracksOnlyIncompleteFilesAndRefusesDuplicates() throws {
        var table = ChainFileTable()
        let a = ChainFileTable.Key(root: "base", path: "base/5/16384")
        let b = ChainFileTable.Key(root: "tblspc-16390", path: "PG_15_1/5/16391")
        let done = ChainFileTable.Key(root: "base", path: "base/5/16385")
        table.track(a, map: BlockMap(length: 3, limit: 3))
        table.track(b, map: BlockMap(length: 1, limit: 1))
        table.track(done, map: BlockMap(length: 5, limit: 0))
        XCTAssertFalse(table.isTracked(done), "nothing older can add to a file whose limit is 0")
        XCTAssertEqual(table.remaining(root: "base"), 1)
        XCTAssertEqual(table.remaining, 2)

        table.beginBackup()
        try table.claim(a)
        XCTAssertThrowsError(try table.claim(a)) { XCTAssertTrue("\($0)".contains("appears twice")) }
        table.markWritten(a, block: 0)
        table.finishDelta(a, truncation: 1)
        XCTAssertFalse(table.isTracked(a), "complete once every block below the limit is written")
        table.beginBackup()
        XCTAssertNoThrow(try table.claim(b), "each backup may hold each file once")
        table.finishWhole(b)
        XCTAssertEqual(table.remaining, 0)
    }

    func testBitmapPopulation() {
        var bitmap = BlockBitmap(count: 200)
        for block in [0, 63, 64, 130, 199] { bitmap.insert(block) }
        bitmap.insert(200)
        XCTAssertEqual(bitmap.population(below: 64), 2)
        XCTAssertEqual(bitmap.population(below: 65), 3)
        XCTAssertEqual(bitmap.population(below: 500), 5)
        XCTAssertEqual(bitmap.elements, [0, 63, 64, 130, 199])
        XCTAssertFalse(bitmap[200])
    }
}
