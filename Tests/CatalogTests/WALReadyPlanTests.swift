// WALReadyPlan and WALPushMarker: which .ready segments wal push archives early, and the marker format.
import Catalog
import XCTest

final class WALReadyPlanTests: XCTestCase {
    func testSelectsOldestReadySegmentsOtherThanTheAskedOne() {
        let entries = [
            "000000010000000000000009.ready", "000000010000000000000005.done", "000000010000000000000007.ready",
            "000000010000000000000006.ready", "00000002.history.ready", "000000010000000000000004.partial.ready",
            "000000010000000000000003.00000028.backup.ready", "junk.ready", "000000010000000000000008.ready",
        ]
        let asked = WALName("000000010000000000000006")!
        XCTAssertEqual(
            WALReadyPlan.select(statusEntries: entries, besides: asked, limit: 2).map(\.rawValue),
            ["000000010000000000000007", "000000010000000000000008"])
        XCTAssertEqual(
            WALReadyPlan.select(statusEntries: entries, besides: asked, limit: 10).map(\.rawValue),
            ["000000010000000000000007", "000000010000000000000008", "000000010000000000000009"])
        XCTAssertEqual(WALReadyPlan.select(statusEntries: entries, besides: asked, limit: 0), [])
    }

    func testWaitingCountsEveryReadyWALFileButNothingElse() {
        let entries = [
            "000000010000000000000009.ready", "000000010000000000000005.done", "00000002.history.ready",
            "000000010000000000000004.partial.ready", "000000010000000000000003.00000028.backup.ready", "junk.ready",
            "000000010000000000000008.ready.tmp", "000000010000000000000007.ready",
        ]
        XCTAssertEqual(
            WALReadyPlan.waiting(statusEntries: entries),
            [
                "000000010000000000000003.00000028.backup.ready", "000000010000000000000004.partial.ready",
                "000000010000000000000007.ready", "000000010000000000000009.ready", "00000002.history.ready",
            ])
        XCTAssertEqual(WALReadyPlan.waiting(statusEntries: []), [])
    }

    func testMarkerRoundTripAndRejectsJunk() {
        let sha = String(repeating: "ab", count: 32)
        let marker = WALPushMarker(size: 16_777_216, sha256: sha)
        XCTAssertEqual(marker.text, "16777216 \(sha)\n")
        XCTAssertEqual(WALPushMarker(text: marker.text), marker, "markers of earlier releases have no object key")
        let object = "wal/main/00000001/000000010000000000000003.0123456789abcdef.lbx"
        let named = WALPushMarker(size: 16_777_216, sha256: sha, object: object)
        XCTAssertEqual(named.text, "16777216 \(sha) \(object)\n")
        XCTAssertEqual(WALPushMarker(text: named.text), named)
        for junk in [
            "", "16777216", "x \(sha)", "-1 \(sha)", "1 \(sha.uppercased())", "1 abc", "1 \(sha) extra",
            "1 \(sha) \(object) extra", "1 \(sha) wal/main/00000001/000000010000000000000003.meta.lbx",
        ] {
            XCTAssertNil(WALPushMarker(text: junk), junk)
        }
    }
}
