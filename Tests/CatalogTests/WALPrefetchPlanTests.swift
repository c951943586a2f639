// WALPrefetchPlan: the segments fetched ahead of recovery (across the log boundary, per segment size) and
// which spooled files recovery has passed.
import Catalog
import XCTest

final class WALPrefetchPlanTests: XCTestCase {
    let mib16: UInt64 = 16 << 20

    func names(_ after: String, _ count: Int, size: UInt64) -> [String] {
        WALPrefetchPlan.segments(after: WALName(after)!, count: count, segmentSize: size).map(\.rawValue)
    }

    func testNextSegmentsCrossTheLogBoundary() {
        XCTAssertEqual(
            names("0000000100000000000000FE", 3, size: mib16),
            ["0000000100000000000000FF", "000000010000000100000000", "000000010000000100000001"])
        XCTAssertEqual(
            names("00000002000000000000000A", 2, size: mib16), ["00000002000000000000000B", "00000002000000000000000C"])
        // 1 MiB segments: 4096 per log, so …FFF is the last one.
        XCTAssertEqual(names("000000010000000300000FFF", 1, size: 1 << 20), ["000000010000000400000000"])
        // 64 MiB segments: 64 per log.
        XCTAssertEqual(names("00000001000000000000003F", 1, size: 64 << 20), ["000000010000000100000000"])
        XCTAssertEqual(names("0000000100000000000000FF", 0, size: mib16), [])
    }

    func testOnlyPlainSegmentsArePrefetched() {
        for name in [
            "00000002.history", "000000010000000000000003.partial", "000000010000000000000003.00000028.backup",
        ] {
            XCTAssertEqual(names(name, 4, size: mib16), [], name)
        }
        XCTAssertEqual(
            names("0000000100000000000000FF", 4, size: 1 << 30), [], "seg FF does not exist with 1 GiB segments")
    }

    func testPassedSpoolFiles() {
        let asked = WALName("000000020000000000000010")!
        XCTAssertTrue(WALPrefetchPlan.isPassed(fileName: "00000002000000000000000F", asked: asked))
        XCTAssertTrue(
            WALPrefetchPlan.isPassed(fileName: "000000010000000000000011", asked: asked), "an older timeline's guess")
        XCTAssertFalse(WALPrefetchPlan.isPassed(fileName: "000000020000000000000010", asked: asked))
        XCTAssertFalse(WALPrefetchPlan.isPassed(fileName: "000000020000000000000011", asked: asked))
        for other in [".lock", ".000000020000000000000001.lifeboat-1f.tmp", "00000001.history"] {
            XCTAssertFalse(WALPrefetchPlan.isPassed(fileName: other, asked: asked), other)
        }
    }

    func testSpoolNaming() {
        XCTAssertEqual(WALPrefetchPlan.spoolDirectory(destination: "pg_wal/RECOVERYXLOG"), "pg_wal/lifeboat-prefetch")
        XCTAssertEqual(
            WALPrefetchPlan.spoolDirectory(destination: "/srv/pg/pg_wal/RECOVERYXLOG"),
            "/srv/pg/pg_wal/lifeboat-prefetch")
        XCTAssertEqual(WALPrefetchPlan.spoolDirectory(destination: "RECOVERYXLOG"), "./lifeboat-prefetch")
        XCTAssertEqual(WALPrefetchPlan.spoolDirectory(destination: "/RECOVERYXLOG"), "/lifeboat-prefetch")
    }
}
