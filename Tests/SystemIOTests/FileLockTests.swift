// FileLock: one holder at a time (flock locks belong to the open file, so two opens in one process contend as
// two processes would), a bounded wait, release on close, and no lock file through a link.
import Foundation
import XCTest

@testable import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class FileLockTests: XCTestCase {
    func testContention() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/.lock"
        let first = try FileLock(path: path)
        let second = try FileLock(path: path)
        XCTAssertTrue(try first.tryLock())
        XCTAssertFalse(try second.tryLock())
        XCTAssertFalse(try second.tryLock(exclusive: false), "a shared lock waits for an exclusive one too")
        let started = Date()
        XCTAssertFalse(try second.lock(waitingAtMost: 0.2))
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.2)
        first.close()
        first.close()
        XCTAssertTrue(try second.lock(waitingAtMost: 5))
        let third = try FileLock(path: path)
        XCTAssertFalse(try third.tryLock())
        second.close()
        try third.lock()
    }

    func testALockWaitedForIsTakenWhenReleased() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/.lock"
        let holder = try FileLock(path: path)
        try holder.lock()
        let release = DispatchWorkItem { holder.close() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1, execute: release)
        XCTAssertTrue(try FileLock(path: path).lock(waitingAtMost: 10))
    }

    func testTheLockFileIsCreatedWithItsModeAndNeverThroughALink() throws {
        let scratch = try ScratchDirectory()
        let mask = umask(0)
        defer { umask(mask) }
        _ = try FileLock(path: scratch.path + "/metrics.lock", mode: 0o644)
        var info = stat()
        XCTAssertEqual(stat(scratch.path + "/metrics.lock", &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o644)
        let link = scratch.path + "/link.lock"
        XCTAssertEqual(symlink(scratch.path + "/target", link), 0)
        XCTAssertThrowsError(try FileLock(path: link)) { error in
            XCTAssertEqual(error as? SystemError, SystemError("open", path: link, code: ELOOP))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/target"))
    }
}
