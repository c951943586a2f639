// ChainFileTableTests: splitting the table by root for a parallel apply and merging it back keeps every file's
// state, and the duplicate check of one backup still holds across the split.
import XCTest

@testable import Reconstruction

final class ChainFileTableTests: XCTestCase {
    let base = ChainFileTable.Key(root: "base", path: "base/5/16384")
    let space = ChainFileTable.Key(root: "tblspc-16400", path: "PG_15_202209061/5/16401")

    func table() throws -> ChainFileTable {
        var table = ChainFileTable()
        try table.claim(base)
        table.track(base, map: BlockMap(length: 4, limit: 4))
        try table.claim(space)
        table.track(space, map: BlockMap(length: 2, limit: 2))
        return table
    }

    func testTakingARootMovesOnlyItsFiles() throws {
        var whole = try table()
        let part = whole.take(root: "tblspc-16400")
        XCTAssertTrue(part.isTracked(space))
        XCTAssertFalse(part.isTracked(base))
        XCTAssertFalse(whole.isTracked(space))
        XCTAssertTrue(whole.isTracked(base))
        XCTAssertEqual(whole.remaining(root: "tblspc-16400"), 0)
    }

    func testWorkDoneOnAPartSurvivesTheMerge() throws {
        var whole = try table()
        var part = whole.take(root: "tblspc-16400")
        part.markWritten(space, block: 0)
        whole.markWritten(base, block: 3)
        whole.merge(part)
        XCTAssertFalse(whole.needs(space, block: 0))
        XCTAssertTrue(whole.needs(space, block: 1))
        XCTAssertFalse(whole.needs(base, block: 3))
        XCTAssertEqual(whole.remaining, 2)
        XCTAssertThrowsError(try whole.claim(space), "a file applied twice in one backup is still refused")
    }
}
