// WALPusherPlan and WALQueue: what the background pusher of asynchronous archiving pushes next, which markers it
// clears, how long it backs off, and the queue status reports.
import Catalog
import XCTest

final class WALPusherPlanTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let entries = [
        "000000010000000000000009.ready", "000000010000000000000005.done", "000000010000000000000007.ready",
        "000000010000000000000006.ready", "00000002.history.ready", "000000010000000000000004.partial.ready",
        "000000010000000000000003.00000028.backup.ready", "junk.ready", "000000010000000000000008.ready",
    ]

    func testPendingIsEveryReadyPlainSegmentOldestFirstThatNobodyHandles() {
        let pending = WALPusherPlan.pending(
            statusEntries: entries, marked: ["000000010000000000000007"], inFlight: ["000000010000000000000008"],
            retryAt: [:], now: now)
        XCTAssertEqual(pending.map(\.rawValue), ["000000010000000000000006", "000000010000000000000009"])
    }

    func testAFailedSegmentWaitsOutItsBackoff() {
        let retry = ["000000010000000000000006": now.addingTimeInterval(1)]
        let waiting = WALPusherPlan.pending(statusEntries: entries, marked: [], inFlight: [], retryAt: retry, now: now)
        XCTAssertFalse(waiting.map(\.rawValue).contains("000000010000000000000006"))
        let due = WALPusherPlan.pending(
            statusEntries: entries, marked: [], inFlight: [], retryAt: retry, now: now.addingTimeInterval(1))
        XCTAssertEqual(due.first?.rawValue, "000000010000000000000006")
        XCTAssertEqual((1...7).map(WALPusherPlan.backoff(failures:)), [1, 2, 4, 8, 16, 30, 30])
        XCTAssertEqual(WALPusherPlan.backoff(failures: 1000), 30)
    }

    func testDropsOnlyAboveTheQueueMaximum() {
        XCTAssertFalse(WALPusherPlan.shouldDrop(waitingBytes: 32 << 20, queueMax: 32 << 20))
        XCTAssertTrue(WALPusherPlan.shouldDrop(waitingBytes: (32 << 20) + 1, queueMax: 32 << 20))
    }

    func testMarkersAreServedOnceTheirSegmentNoLongerWaits() {
        let markers = ["000000010000000000000005", "000000010000000000000007", "pusher.json", "00000002.history"]
        XCTAssertEqual(
            WALPusherPlan.servedMarkers(markers: markers, statusEntries: entries), ["000000010000000000000005"])
    }

    func testQueueCountsWhatThePusherHasNotArchived() {
        let queue = WALQueue.summarize(
            [
                .init(name: "000000010000000000000006", size: 16 << 20, readySince: now.addingTimeInterval(-30)),
                .init(name: "000000010000000000000007", size: 16 << 20, readySince: now.addingTimeInterval(-20)),
                .init(name: "00000002.history", size: nil, readySince: now.addingTimeInterval(-10)),
            ], marked: ["000000010000000000000006"], now: now)
        XCTAssertEqual(
            queue, WALQueue(segments: 2, bytes: 16 << 20, oldestWaitingSeconds: 20, archivedAwaitingPostgres: 1))
        XCTAssertEqual(
            WALQueue.summarize([], marked: [], now: now),
            WALQueue(segments: 0, bytes: 0, oldestWaitingSeconds: 0, archivedAwaitingPostgres: 0))
    }
}
