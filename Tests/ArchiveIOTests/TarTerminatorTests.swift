import ArchiveIO
import XCTest

final class TarTerminatorTests: XCTestCase {
    func feed(_ chunks: [[UInt8]]) -> TarTerminator {
        var terminator = TarTerminator()
        for chunk in chunks { chunk.withUnsafeBytes { terminator.observe($0) } }
        return terminator
    }

    func testTerminatedStreamNeedsNothing() {
        let header = [UInt8](repeating: 7, count: 512)
        XCTAssertEqual(feed([header, [UInt8](repeating: 0, count: 1024)]).missing, [])
        // The marker split over small chunks.
        XCTAssertEqual(
            feed(
                [header] + Array(repeating: [UInt8](repeating: 0, count: 100), count: 10) + [
                    [0, 0, 0, 0] + [UInt8](repeating: 0, count: 20)
                ]
            ).missing, [])
    }

    func testUnterminatedStreamGetsTheMarker() {
        let block = [UInt8](repeating: 7, count: 512)
        XCTAssertEqual(feed([block, block, block]).missing, [UInt8](repeating: 0, count: 1024))
        XCTAssertEqual(feed([]).missing.count, 1024)
        // Only one zero block at the end is not a marker.
        XCTAssertEqual(feed([block, block, [UInt8](repeating: 0, count: 512)]).missing.count, 1024)
        // A partial block is padded first.
        XCTAssertEqual(feed([block, [1, 2, 3]]).missing.count, 509 + 1024)
    }
}
