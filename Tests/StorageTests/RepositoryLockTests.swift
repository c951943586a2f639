import Foundation
import TestSupport
import XCTest

@testable import Storage

final class RepositoryLockTests: XCTestCase {
    func testSecondHolderIsRefusedWithTheHolderNamed() throws {
        let store = MemoryStore()
        let first = try RepositoryLock(store: store, name: "main", command: "lifeboat backup")
        XCTAssertThrowsError(try RepositoryLock(store: store, name: "main", command: "lifeboat prune")) { error in
            guard let error = error as? StoreError, case .locked = error else {
                return XCTFail("expected locked, got \(error)")
            }
            XCTAssertEqual(error.exitStatus.rawValue, 5)
            XCTAssertTrue(error.message.contains("lifeboat backup"), error.message)
            XCTAssertTrue(error.message.contains("pid \(getpid())"), error.message)
        }
        first.release()
        XCTAssertNoThrow(try RepositoryLock(store: store, name: "main", command: "lifeboat prune"))
    }

    func testLockOfADeadProcessOnThisHostIsBroken() throws {
        let store = MemoryStore()
        var holder = LockHolder.current(command: "lifeboat backup")
        holder.pid = Self.deadPID()
        try store.put(try ObjectKey("locks/main.lock"), data: Array(try LockHolder.encoder.encode(holder)))
        let lock = try RepositoryLock(store: store, name: "main", command: "lifeboat backup")
        let current = try RepositoryLock.readHolder(store: store, key: try ObjectKey("locks/main.lock"), name: "main")
        XCTAssertEqual(current?.pid, getpid())
        lock.release()
    }

    func testLockOfAnotherHostIsNeverBroken() throws {
        let store = MemoryStore()
        var holder = LockHolder.current(command: "lifeboat backup")
        holder.host = "some-other-host"
        holder.pid = Self.deadPID()
        try store.put(try ObjectKey("locks/main.lock"), data: Array(try LockHolder.encoder.encode(holder)))
        XCTAssertThrowsError(try RepositoryLock(store: store, name: "main", command: "lifeboat backup"))
    }

    /// A pid that is certainly not running: a child we started and reaped.
    static func deadPID() -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try? process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }
}

/// Breaking a dead holder's lock is race-free: many runs that all saw the same dead holder never hold the lock
/// at the same time (before the marker protocol, two breakers could each delete and re-create it).
final class RepositoryLockRaceTests: XCTestCase {
    func testRunsRacingToBreakADeadLockNeverOverlapOnMemoryStore() throws {
        try race(MemoryStore(), rounds: 60)
    }

    func testRunsRacingToBreakADeadLockNeverOverlapOnLocalStore() throws {
        let directory = try temporaryDirectory(prefix: "lock-race")
        try race(try LocalStore(root: directory, create: true), rounds: 30)
    }

    func testAStaleBreakMarkerOfADeadBreakerDoesNotWedgeTheLock() throws {
        let store = MemoryStore()
        var dead = LockHolder.current(command: "lifeboat backup")
        dead.pid = RepositoryLockTests.deadPID()
        var deadBreaker = LockHolder.current(command: "lifeboat prune")
        deadBreaker.pid = RepositoryLockTests.deadPID()
        try store.put(try ObjectKey("locks/main.lock"), data: Array(try LockHolder.encoder.encode(dead)))
        try store.put(
            try ObjectKey("locks/main.lock.break-\(dead.nonce!)"),
            data: Array(try LockHolder.encoder.encode(deadBreaker)))
        let lock = try RepositoryLock(store: store, name: "main", command: "lifeboat backup")
        XCTAssertEqual(
            try RepositoryLock.readHolder(store: store, key: try ObjectKey("locks/main.lock"), name: "main"),
            lock.holder)
        lock.release()
        XCTAssertEqual(try store.list(prefix: "locks/").map(\.key.rawValue), [], "markers or the lock were left behind")
    }

    func testReleaseLeavesALockThatIsNoLongerOurs() throws {
        let store = MemoryStore()
        let lock = try RepositoryLock(store: store, name: "main", command: "lifeboat backup")
        let other = LockHolder.current(command: "lifeboat prune")  // an operator removed ours; another run took it
        try store.put(try ObjectKey("locks/main.lock"), data: Array(try LockHolder.encoder.encode(other)))
        lock.release()
        XCTAssertEqual(
            try RepositoryLock.readHolder(store: store, key: try ObjectKey("locks/main.lock"), name: "main"), other)
    }

    func testAStoreThatIgnoresExclusiveCreateIsRefused() throws {
        let store = OverwritingStore()
        XCTAssertThrowsError(try RepositoryLock(store: store, name: "main", command: "lifeboat backup")) { error in
            guard case StoreError.exclusiveCreateIgnored = error else { return XCTFail("\(error)") }
            XCTAssertTrue((error as? StoreError)?.hint?.contains("If-None-Match") ?? false)
        }
        XCTAssertEqual(try store.list(prefix: "locks/").count, 0, "the refused run left its lock")
    }

    func testALockWhoseCreateAnswerWasLostIsHeld() throws {
        let store = LostAnswerStore()
        let lock = try RepositoryLock(store: store, name: "main", command: "lifeboat backup")
        XCTAssertEqual(
            try RepositoryLock.readHolder(store: store, key: try ObjectKey("locks/main.lock"), name: "main"),
            lock.holder)
    }

    /// `threads` runs start together against a lock left by a dead process; each that gets the lock records how
    /// many hold it at once, keeps it briefly and releases it. At most one may ever hold it.
    private func race(_ store: BlobStore, rounds: Int, threads: Int = 6) throws {
        let key = try ObjectKey("locks/main.lock")
        var totalWinners = 0
        for _ in 0..<rounds {
            var dead = LockHolder.current(command: "lifeboat backup")
            dead.pid = RepositoryLockTests.deadPID()
            try store.put(key, data: Array(try LockHolder.encoder.encode(dead)))
            let counter = HolderCounter()
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                guard let lock = try? RepositoryLock(store: store, name: "main", command: "lifeboat backup") else {
                    return
                }
                counter.enter()
                usleep(2_000)
                counter.leave()
                lock.release()
            }
            XCTAssertLessThanOrEqual(counter.maximum, 1, "two runs held the lock at once")
            XCTAssertGreaterThanOrEqual(counter.entries, 1, "nobody broke the dead holder's lock")
            totalWinners += counter.entries
            XCTAssertEqual(try store.list(prefix: "locks/").map(\.key.rawValue), [], "lock or markers left behind")
        }
        XCTAssertGreaterThanOrEqual(totalWinners, rounds)
    }
}

final class HolderCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var maximum = 0
    private(set) var entries = 0

    func enter() {
        lock.withLock {
            current += 1
            entries += 1
            maximum = max(maximum, current)
        }
    }

    func leave() { lock.withLock { current -= 1 } }
}

/// Forwards everything to a MemoryStore; subclasses change exclusive create.
class ForwardingStore: BlobStore, @unchecked Sendable {
    let inner = MemoryStore()
    var location: String { "forwarding://" }
    func put(_ key: ObjectKey, data: [UInt8]) throws { try inner.put(key, data: data) }
    func makeWriter(for key: ObjectKey) throws -> BlobWriter { try inner.makeWriter(for: key) }
    func open(_ key: ObjectKey) throws -> BlobReader { try inner.open(key) }
    func head(_ key: ObjectKey) throws -> BlobInfo? { try inner.head(key) }
    func list(prefix: String) throws -> [BlobInfo] { try inner.list(prefix: prefix) }
    func delete(_ key: ObjectKey) throws { try inner.delete(key) }
    func createExclusive(_ key: ObjectKey, data: [UInt8]) throws -> Bool { try inner.createExclusive(key, data: data) }
    var capabilities: StoreCapabilities { inner.capabilities }
    var archival: (any ArchivalOperations)? { inner.archival }
    var bucket: (any BucketOperations)? { inner.bucket }
}

/// A store whose exclusive create overwrites, as an S3 server that ignores If-None-Match would.
final class OverwritingStore: ForwardingStore, @unchecked Sendable {
    override func createExclusive(_ key: ObjectKey, data: [UInt8]) throws -> Bool {
        try inner.put(key, data: data)
        return true
    }
}

/// A store whose first exclusive create is stored but answered as "exists", as a retried PUT after a lost answer.
final class LostAnswerStore: ForwardingStore, @unchecked Sendable {
    private var first = true
    override func createExclusive(_ key: ObjectKey, data: [UInt8]) throws -> Bool {
        let created = try inner.createExclusive(key, data: data)
        if first {
            first = false
            return false
        }
        return created
    }
}
