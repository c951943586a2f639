// WALReceiverStorer: jobs stored in order on their own thread, the stored position only moving forward, a full
// queue refusing more, a failure ending everything behind it, and stop() storing nothing more.
import Catalog
import Foundation
import XCTest

@testable import Engine

final class WALReceiverStorerTests: XCTestCase {
    let segment = WALName("000000010000000000000001")!

    func partial(_ end: UInt64) -> WALReceiverStorer.Job {
        .partial(name: segment, path: "/nonexistent", size: Int64(end), end: end)
    }

    func testJobsAreStoredInOrderAndDrainReportsTheLastPosition() throws {
        let order = Locked<[UInt64]>([])
        let storer = WALReceiverStorer { job in order.mutate { $0.append(job.end) } }
        for end in [10, 20, 30] as [UInt64] { XCTAssertTrue(try storer.enqueue(partial(end), timeout: 5)) }
        try storer.drain()
        XCTAssertEqual(order.value, [10, 20, 30])
        XCTAssertEqual(try storer.takeStored(), 30)
        XCTAssertNil(try storer.takeStored(), "a position is reported once")
    }

    func testAFullQueueRefusesAndAFailureStopsWhatIsBehindIt() throws {
        let gate = DispatchSemaphore(value: 0)
        let stored = Locked<[UInt64]>([])
        let storer = WALReceiverStorer(limit: 2) { job in
            if job.end == 1 { gate.wait() }
            if job.end == 2 { throw CocoaError(.fileWriteUnknown) }
            stored.mutate { $0.append(job.end) }
        }
        XCTAssertTrue(try storer.enqueue(partial(1), timeout: 5))
        XCTAssertTrue(try storer.enqueue(partial(2), timeout: 5))
        XCTAssertTrue(try storer.enqueue(partial(3), timeout: 5))
        XCTAssertFalse(try storer.enqueue(partial(4), timeout: 0.05), "two waiting: the queue is full")
        gate.signal()
        XCTAssertThrowsError(try storer.drain())
        XCTAssertThrowsError(try storer.takeStored())
        XCTAssertEqual(stored.value, [1], "nothing after the failed job is stored")
    }

    func testStopDropsWhatIsQueued() throws {
        let gate = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let stored = Locked<[UInt64]>([])
        let storer = WALReceiverStorer { job in
            if job.end == 1 {
                started.signal()
                gate.wait()
            }
            stored.mutate { $0.append(job.end) }
        }
        XCTAssertTrue(try storer.enqueue(partial(1), timeout: 5))
        started.wait()
        XCTAssertTrue(try storer.enqueue(partial(2), timeout: 5))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { gate.signal() }
        storer.stop()
        XCTAssertEqual(stored.value, [1], "the running job ends; the queued one is dropped")
    }
}

/// A value shared with the storer's thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
