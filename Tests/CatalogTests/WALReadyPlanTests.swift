// WALReadyPlan, WALPushMarker and WALFileIdentity: which .ready segments wal push archives early, the marker
// format, and when a marker may vouch for a file by its identity.
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
            "1 \(sha) \(object) 1:2:3", "1 \(sha) \(object) 1:2:3:x", "1 \(sha) \(object) 1:2::4",
            "1 \(sha) \(object) -1:2:3:4", "1 \(sha) \(object) 1:2:3:4 extra",
        ] {
            XCTAssertNil(WALPushMarker(text: junk), junk)
        }
    }

    func testMarkerCarriesTheIdentityOfTheFileThePusherRead() throws {
        let sha = String(repeating: "cd", count: 32)
        let object = "wal/main/00000001/000000010000000000000003.0123456789abcdef.lbx"
        let identity = WALFileIdentity(
            device: 65024, inode: 1_056_791, modifiedNanoseconds: 1_796_647_292_811_562_968,
            changedNanoseconds: 1_796_647_302_807_106_966)
        let marker = WALPushMarker(size: 16_777_216, sha256: sha, object: object, identity: identity)
        XCTAssertEqual(
            marker.text, "16777216 \(sha) \(object) 65024:1056791:1796647292811562968:1796647302807106966\n")
        XCTAssertEqual(WALPushMarker(text: marker.text), marker)
        XCTAssertEqual(WALPushMarker(text: marker.text)?.identity, identity)
        // Markers of earlier releases have none: the archive_command hashes the file.
        XCTAssertNil(WALPushMarker(text: "16777216 \(sha) \(object)\n")?.identity)
        // Only after an object key: the text form could not tell them apart otherwise.
        XCTAssertNil(WALPushMarker(size: 1, sha256: sha, identity: identity).identity)
        // Times before the epoch are times too.
        XCTAssertEqual(WALFileIdentity(text: "1:2:-3:-4")?.changedNanoseconds, -4)
    }

    func testAnIdentityIsRecordedOnlyForAFileThatSettledBeforeThePusherLooked() {
        let changed: Int64 = 1_000_000_000_000
        let identity = WALFileIdentity(device: 1, inode: 2, modifiedNanoseconds: changed, changedNanoseconds: changed)
        XCTAssertTrue(identity.isSettled(lookedAtNanoseconds: changed + WALFileIdentity.settle))
        XCTAssertTrue(identity.isSettled(lookedAtNanoseconds: changed + 60_000_000_000))
        // Changed within the last 2 s (a coarse clock tick could hide a later write): hash it instead.
        XCTAssertFalse(identity.isSettled(lookedAtNanoseconds: changed + WALFileIdentity.settle - 1))
        XCTAssertFalse(identity.isSettled(lookedAtNanoseconds: changed))
        XCTAssertFalse(identity.isSettled(lookedAtNanoseconds: changed - 5_000_000_000), "a clock behind the file")
    }
}
