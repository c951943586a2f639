// RegionWriter.RunRegion: the chosen blocks of a run as maximal stretches, only within the file's part of the
// run — what both the merged region write and the stretch-by-stretch write iterate over.
import XCTest

@testable import Engine

final class RunRegionTests: XCTestCase {
    func testStretchesAreMaximalAndInOrder() {
        let chosen = [true, true, false, true, false, false, true, true, true, false]
        let region = RegionWriter.RunRegion(first: 128, count: chosen.count, chosen: chosen)
        XCTAssertEqual(region.stretches, [0..<2, 3..<4, 6..<9])
        XCTAssertTrue(region.fits(chosenCount: 6))
        XCTAssertFalse(region.isWhole)
    }

    func testNothingPastTheFilesPartOfTheRunIsAStretch() {
        let region = RegionWriter.RunRegion(first: 0, count: 3, chosen: [false, true, true, true, true])
        XCTAssertEqual(region.stretches, [1..<3], "blocks past count are outside the file")
        XCTAssertFalse(region.fits(chosenCount: 4))
    }

    func testWholeAndEmptyRuns() {
        XCTAssertEqual(
            RegionWriter.RunRegion(first: 0, count: 4, chosen: [true, true, true, true]).stretches, [0..<4])
        XCTAssertTrue(RegionWriter.RunRegion(first: 0, count: 4, chosen: [true, true, true, true]).isWhole)
        XCTAssertEqual(RegionWriter.RunRegion(first: 0, count: 2, chosen: [false, false]).stretches, [])
    }
}
