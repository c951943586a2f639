// WALReceiveTests: the pure decisions of `wal receive` (docs/format.md §8.7): where streaming starts, where a
// partial segment lives in the repository, and when the receiver's state extends the recoverable window.
import Foundation
import XCTest

@testable import Catalog

final class WALReceiveTests: XCTestCase {
    let size: UInt64 = 16 << 20

    func lsn(_ segment: UInt64, _ offset: UInt64 = 0) -> LSN { LSN(segment * size + offset) }

    func testStartsAfterTheNewestArchivedSegment() {
        let decision = WALStreamStart.decide(
            timeline: 1, segmentSize: size, newestArchived: 7, switchPoint: nil, slotRestart: lsn(6, 100),
            serverPosition: lsn(9, 5))
        XCTAssertEqual(decision.start, lsn(8))
        XCTAssertNil(decision.fallback, "the slot keeps WAL from before the start")
        XCTAssertTrue(decision.reason.contains("000000010000000000000007"), decision.reason)
    }

    func testFallsBackToTheSlotWhenTheServerMayHaveRemovedTheStart() {
        let decision = WALStreamStart.decide(
            timeline: 1, segmentSize: size, newestArchived: 3, switchPoint: nil, slotRestart: lsn(6, 100),
            serverPosition: lsn(9, 5))
        XCTAssertEqual(decision.start, lsn(4))
        XCTAssertEqual(decision.fallback, lsn(6))
    }

    func testNeverStartsBeyondTheServer() {
        let decision = WALStreamStart.decide(
            timeline: 1, segmentSize: size, newestArchived: 9, switchPoint: nil, slotRestart: nil,
            serverPosition: lsn(9, 5))
        XCTAssertEqual(decision.start, lsn(9))
    }

    func testNewTimelineStartsAtTheSegmentOfItsSwitchPoint() {
        let decision = WALStreamStart.decide(
            timeline: 2, segmentSize: size, newestArchived: nil, switchPoint: lsn(5, 0x2A0), slotRestart: nil,
            serverPosition: lsn(6, 8))
        XCTAssertEqual(decision.start, lsn(5))
    }

    func testWithoutArchiveTheSlotThenTheServerDecide() {
        XCTAssertEqual(
            WALStreamStart.decide(
                timeline: 1, segmentSize: size, newestArchived: nil, switchPoint: nil, slotRestart: lsn(3, 40),
                serverPosition: lsn(9, 5)
            ).start, lsn(3))
        XCTAssertEqual(
            WALStreamStart.decide(
                timeline: 1, segmentSize: size, newestArchived: nil, switchPoint: nil, slotRestart: nil,
                serverPosition: lsn(9, 5)
            ).start, lsn(9))
    }

    func testSwitchPointFromHistoryText() {
        XCTAssertEqual(
            WALStreamStart.switchPoint(historyText: "1\t0/3000000\tno recovery target specified\n\n2\t0/5A002A0\tx\n"),
            LSN("0/5A002A0"))
        XCTAssertNil(WALStreamStart.switchPoint(historyText: "garbage\n"))
    }

    func testPartialKeysRoundTripAndNothingElseParses() throws {
        let segment = try XCTUnwrap(WALName("000000020000000100000003"))
        let key = RepositoryLayout.walPartial(cluster: "main", segment: segment)
        XCTAssertEqual(key, "wal/main/partial/000000020000000100000003.lbx")
        XCTAssertEqual(RepositoryLayout.walPartialSegment(key: key, cluster: "main"), segment)
        XCTAssertNil(RepositoryLayout.walPartialSegment(key: key, cluster: "other"))
        XCTAssertNil(RepositoryLayout.walPartialSegment(key: "wal/main/partial/00000002.history.lbx", cluster: "main"))
        XCTAssertNil(
            RepositoryLayout.walPartialSegment(key: "wal/main/00000002/000000020000000100000003.lbx", cluster: "main"))
        // Neither a partial nor the receiver's state is ever taken for an archived WAL object.
        XCTAssertNil(WALObjectName(fileName: "receiver.lbx"))
    }

    func state(committed: LSN, timeline: UInt32 = 1, caughtUp: Date?) -> WALReceiverState {
        WALReceiverState(
            cluster: "main", slot: "lifeboat_main", timeline: timeline, committedLsn: committed.description,
            serverLsn: LSN(committed.value + 100).description, caughtUpAt: caughtUp, updatedAt: Date(),
            tool: ToolInfo(name: "lifeboat", version: "0", host: "h"))
    }

    func testReceiverExtendsTheWindowOnlyWhenItContinuesIt() {
        let end = Date(timeIntervalSince1970: 1_000)
        let caught = end.addingTimeInterval(300)
        let window = RecoverableWindow(
            timeline: 1, fromBackup: "b", fromTime: end.addingTimeInterval(-3600), fromWal: "000000010000000000000002",
            toWal: "000000010000000000000007", toTime: end)
        XCTAssertEqual(
            state(committed: lsn(8, 4096), caughtUp: caught).recoverablePoint(
                continuing: window, segmentSize: Int64(size)), caught, "its partial follows the window's last segment")
        XCTAssertEqual(
            state(committed: lsn(8), caughtUp: caught).recoverablePoint(
                continuing: window, segmentSize: Int64(size)), caught, "it committed exactly the window")
        XCTAssertNil(
            state(committed: lsn(9, 1), caughtUp: caught).recoverablePoint(
                continuing: window, segmentSize: Int64(size)), "segment 8 is missing: a gap")
        XCTAssertNil(
            state(committed: lsn(8, 1), timeline: 2, caughtUp: caught).recoverablePoint(
                continuing: window, segmentSize: Int64(size)))
        XCTAssertNil(
            state(committed: lsn(8, 1), caughtUp: nil).recoverablePoint(
                continuing: window, segmentSize: Int64(size)))
        XCTAssertEqual(
            state(committed: lsn(8, 1), caughtUp: end.addingTimeInterval(-5)).recoverablePoint(
                continuing: window, segmentSize: Int64(size)), end, "never older than the window's own end")
        XCTAssertEqual(state(committed: lsn(8, 1), caughtUp: caught).lagBytes, 100)
        XCTAssertEqual(state(committed: lsn(8, 1), caughtUp: caught).lagSeconds(now: caught.addingTimeInterval(2)), 2)
    }
}
