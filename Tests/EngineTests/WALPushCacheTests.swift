// WALPushCacheTests: one WALArchive pushing many segments (the background pusher) reads the system record and
// proves exclusive create once, then again after WALPushCache.interval, and keeps every refusal: a segment of
// another system, and a store that ignores exclusive create (docs/format.md §1, §8.3, §8.4). On a MemoryStore
// whose operations are counted; the segments are 1 MiB files with a valid long page header.
import Catalog
import Foundation
import Storage
import XCTest

@testable import Engine

final class WALPushCacheTests: XCTestCase {
    static let segmentSize = 1 << 20  // PostgreSQL's smallest, to keep the test small
    let systemKey = "wal/main/system-identifier.lbx"

    final class Clock: @unchecked Sendable {
        var now: TimeInterval = 1000
    }

    /// Counts operations by kind and key; with `ignoreExclusiveCreate` every create reports success, as a server
    /// that ignores If-None-Match would (the object is replaced).
    final class Counter: StoreInterceptor, @unchecked Sendable {
        private let lock = NSLock()
        private var operations: [StoreOperation] = []
        let ignoreExclusiveCreate: Bool

        init(ignoreExclusiveCreate: Bool = false) { self.ignoreExclusiveCreate = ignoreExclusiveCreate }

        func intercept<T>(_ operation: StoreOperation, _ body: () throws -> T) throws -> T {
            lock.lock()
            operations.append(operation)
            lock.unlock()
            let result = try body()
            if ignoreExclusiveCreate, operation.kind == .createExclusive, let created = true as? T { return created }
            return result
        }

        func count(_ kind: StoreOperation.Kind, where matches: (String) -> Bool = { _ in true }) -> Int {
            lock.lock()
            defer { lock.unlock() }
            return operations.filter { $0.kind == kind && matches($0.subject) }.count
        }
    }

    func fixture(_ counter: Counter, clock: Clock) throws -> (WALArchive, String) {
        let history = try InMemoryHistory()
        let repository = Repository(store: InterceptedStore(history.store, counter))
        let archive = WALArchive(
            context: history.context, repository: repository, keyring: history.catalog.keyring,
            cache: WALPushCache(clock: { clock.now }))
        let directory = NSTemporaryDirectory() + "wal-push-cache-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        return (archive, directory)
    }

    /// Writes segment `number` of timeline 1 written by database system `system` into `directory`.
    func segment(_ number: UInt64, system: UInt64, in directory: String) throws -> String {
        var bytes = [UInt8](repeating: 0, count: Self.segmentSize)
        func put(_ value: UInt64, at offset: Int, width: Int) {
            for index in 0..<width { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        }
        put(0xD110, at: 0, width: 2)
        put(0x0002, at: 2, width: 2)  // long header
        put(1, at: 4, width: 4)
        put(number * UInt64(Self.segmentSize), at: 8, width: 8)
        put(system, at: 24, width: 8)
        put(UInt64(Self.segmentSize), at: 32, width: 4)
        put(8192, at: 36, width: 4)
        for index in stride(from: 4096, to: bytes.count, by: 4096) { bytes[index] = UInt8(truncatingIfNeeded: number) }
        let perLog = UInt64(1 << 32) / UInt64(Self.segmentSize)
        let path = directory + "/" + String(format: "%08X%08X%08X", 1, UInt32(number / perLog), UInt32(number % perLog))
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func isRecord(_ key: String) -> Bool { key.hasSuffix(".meta.lbx") }

    func testTheSystemRecordIsReadOncePerIntervalAndAnotherSystemIsStillRefused() throws {
        let (counter, clock) = (Counter(), Clock())
        let (archive, directory) = try fixture(counter, clock: clock)
        for number: UInt64 in 1...4 { _ = try archive.push(path: try segment(number, system: 77, in: directory)) }
        XCTAssertEqual(counter.count(.createExclusive) { $0 == self.systemKey }, 1, "the first push pins the system")
        XCTAssertEqual(counter.count(.open) { $0 == self.systemKey }, 1, "read once, not once per segment")

        let foreign = try segment(5, system: 78, in: directory)
        XCTAssertThrowsError(try archive.push(path: foreign)) { error in
            guard case WALError.systemIdentifierMismatch(_, _, let found, let recorded) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual([found, recorded], ["78", "77"])
        }
        XCTAssertEqual(counter.count(.createExclusive) { $0.contains("000000010000000000000005") }, 0)
        XCTAssertEqual(counter.count(.commit), 4, "nothing of the foreign segment was stored")

        clock.now += WALPushCache.interval
        _ = try archive.push(path: try segment(6, system: 77, in: directory))
        XCTAssertEqual(counter.count(.open) { $0 == self.systemKey }, 2, "read again after the interval")
    }

    func testExclusiveCreateIsProvenOnTheFirstRecordAndAgainAfterTheInterval() throws {
        let (counter, clock) = (Counter(), Clock())
        let (archive, directory) = try fixture(counter, clock: clock)
        for number: UInt64 in 1...3 { _ = try archive.push(path: try segment(number, system: 77, in: directory)) }
        XCTAssertEqual(counter.count(.createExclusive, where: isRecord), 3 + 1, "only the first record twice")

        clock.now += WALPushCache.interval - 1
        _ = try archive.push(path: try segment(4, system: 77, in: directory))
        XCTAssertEqual(counter.count(.createExclusive, where: isRecord), 5)
        clock.now += 1
        _ = try archive.push(path: try segment(5, system: 77, in: directory))
        XCTAssertEqual(counter.count(.createExclusive, where: isRecord), 7, "proven again after the interval")
    }

    func testAStoreThatIgnoresExclusiveCreateIsRefusedOnEveryCommitUntilProven() throws {
        let (counter, clock) = (Counter(ignoreExclusiveCreate: true), Clock())
        let (archive, directory) = try fixture(counter, clock: clock)
        for number: UInt64 in 1...2 {
            XCTAssertThrowsError(try archive.push(path: try segment(number, system: 77, in: directory))) { error in
                guard case StoreError.exclusiveCreateIgnored = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertEqual(counter.count(.createExclusive, where: isRecord), 4, "a failed proof is not remembered")
    }

    func testOnlyAFileOpenedWatchingItsIdentityReportsIt() throws {
        let (_, directory) = try fixture(Counter(), clock: Clock())
        let path = try segment(1, system: 77, in: directory)
        // The pusher records identities only of files whose last change is `settle` old.
        usleep(UInt32(WALFileIdentity.settle / 1000 + 100_000))
        let watched = try WALSourceFile(path: path, watchingIdentity: true)
        _ = try watched.sha256()
        watched.close()
        XCTAssertEqual(watched.settledIdentity(), watched.identity)
        let plain = try WALSourceFile(path: path)
        _ = try plain.sha256()
        plain.close()
        XCTAssertNil(plain.settledIdentity(), "a push that records no identity does not take one")
        XCTAssertEqual(plain.identity, watched.identity, "the open file's identity is there for the confirm")
    }
}
