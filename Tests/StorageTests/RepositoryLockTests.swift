import XCTest
import Foundation
@testable import Storage

final class RepositoryLockTests: XCTestCase {
    func testSecondHolderIsRefusedWithTheHolderNamed() throws {
        let store = MemoryStore()
        let first = try RepositoryLock(store: store, name: "main", command: "lifeboat backup")
        XCTAssertThrowsError(try RepositoryLock(store: store, name: "main", command: "lifeboat prune")) { error in
            guard let error = error as? StoreError, case .locked = error else { return XCTFail("expected locked, got \(error)") }
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
        try store.put(try ObjectKey("locks/main.lock"), data: Array(try RepositoryLock.encoder.encode(holder)))
        let lock = try RepositoryLock(store: store, name: "main", command: "lifeboat backup")
        let current = try RepositoryLock.readHolder(store: store, key: try ObjectKey("locks/main.lock"), name: "main")
        XCTAssertEqual(current.pid, getpid())
        lock.release()
    }

    func testLockOfAnotherHostIsNeverBroken() throws {
        let store = MemoryStore()
        var holder = LockHolder.current(command: "lifeboat backup")
        holder.host = "some-other-host"
        holder.pid = Self.deadPID()
        try store.put(try ObjectKey("locks/main.lock"), data: Array(try RepositoryLock.encoder.encode(holder)))
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
