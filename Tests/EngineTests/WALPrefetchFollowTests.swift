// WALPrefetchFollowTests: one prefetcher follows recovery (docs/format.md §8.5 "Prefetch spool"): it keeps the
// `count` segments after the one `wal get` recorded last (`.asked`) spooled, moves on when recovery asks for a
// later one, holds the spool's lock while it runs (so `wal get` starts no other), and ends at the first segment
// that is not archived. On a MemoryStore with 1 MiB segments (a valid long page header each).
import Catalog
import Foundation
import XCTest

@testable import Engine

final class WALPrefetchFollowTests: XCTestCase {
    static let segmentSize = WALTestSegment.size

    func name(_ number: UInt64) -> WALName { WALTestSegment.name(number) }

    func segment(_ number: UInt64, in directory: String) throws -> String {
        try WALTestSegment.write(number, in: directory)
    }

    func waitFor(_ what: String, timeout: TimeInterval = 20, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() && Date() < deadline { usleep(20_000) }
        XCTAssertTrue(condition(), "timed out waiting for \(what)")
    }

    /// A repository holding segments 1…`last`, and a scratch directory (removed after the test) for the spool.
    func archived(upTo last: UInt64, directoryPrefix: String) throws -> (WALArchive, String) {
        let history = try InMemoryHistory()
        let archive = WALArchive(
            context: history.context, repository: history.catalog.repository, keyring: history.catalog.keyring)
        let directory = NSTemporaryDirectory() + "\(directoryPrefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/wal", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        for number: UInt64 in 1...last { _ = try archive.push(path: try segment(number, in: directory + "/wal")) }
        return (archive, directory)
    }

    func testOnePrefetcherFollowsRecoveryAndEndsAtTheEndOfTheArchive() throws {
        let (archive, directory) = try archived(upTo: 10, directoryPrefix: "wal-prefetch-follow")
        let spool = WALPrefetchSpool(directory: directory + "/" + WALPrefetchSpool.directoryName)
        let spooled = { (number: UInt64) in FileManager.default.fileExists(atPath: spool.path(self.name(number))) }
        let finished = DispatchSemaphore(value: 0)
        let outcome = LockedBox<Error?>(nil)
        let (first, size) = (name(1), UInt64(Self.segmentSize))
        Thread.detachNewThread {
            do {
                try archive.prefetch(after: first, count: 3, segmentSize: size, spool: spool, idleExit: 2)
            } catch {
                outcome.value = error
            }
            finished.signal()
        }
        waitFor("the first window") { (2...4).allSatisfy(spooled) }
        XCTAssertTrue(spool.prefetcherIsRunning(), "a wal get now would start no other prefetcher")
        XCTAssertFalse(spooled(5), "only the window after the segment asked for")

        // Recovery takes 2 and 3 from the spool, recording each: the same prefetcher fills the window after 3.
        for number: UInt64 in 2...3 {
            XCTAssertNotNil(try spool.deliver(name(number), to: directory + "/RECOVERYXLOG"))
            spool.recordAsked(name(number))
        }
        waitFor("the window after 3") { (4...6).allSatisfy(spooled) }
        XCTAssertFalse(spooled(7))

        // Recovery jumps ahead (it fetched 8 itself): the window follows to 9 and 10, and 11 is not archived.
        spool.recordAsked(name(8))
        XCTAssertEqual(finished.wait(timeout: .now() + 20), .success, "the end of the archive ends it")
        XCTAssertNil(outcome.value)
        XCTAssertTrue(spooled(9) && spooled(10))
        XCTAssertFalse(spool.prefetcherIsRunning())
    }

    func testAnIdlePrefetcherExitsAndReleasesTheLock() throws {
        let (archive, directory) = try archived(upTo: 5, directoryPrefix: "wal-prefetch-idle")
        let spool = WALPrefetchSpool(directory: directory + "/" + WALPrefetchSpool.directoryName)
        let started = Date()
        try archive.prefetch(
            after: name(1), count: 2, segmentSize: UInt64(Self.segmentSize), spool: spool, idleExit: 0.3)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.3, "it waited for recovery to ask again")
        XCTAssertTrue(FileManager.default.fileExists(atPath: spool.path(name(3))))
        XCTAssertFalse(FileManager.default.fileExists(atPath: spool.path(name(4))))
        XCTAssertFalse(spool.prefetcherIsRunning())
    }
}

/// A value shared with the prefetcher's thread.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
