import Foundation
import HTTPTransport
import S3Protocol
import Storage
import TestSupport
import XCTest

// ArchivalOperations on S3 against the real moto server (SigV4 verification on) that scripts/s3-test-server.sh
// starts with three buckets: lifeboat-test (plain), lifeboat-versioned, and lifeboat-locked (Object Lock
// enabled, default retention GOVERNANCE 1 day). A missing server fails the tests.
//
// What moto 5.2.1 does here (read from moto/s3/responses.py and models.py):
// - On a bucket with Object Lock and default retention it refuses PutObject, CreateMultipartUpload,
//   PutObjectRetention and PutObjectLegalHold without Content-MD5 (or x-amz-sdk-checksum-algorithm), as AWS
//   does; it only checks that the header is present, never its value, and does not check UploadPart at all.
// - It enforces retention and legal hold on DELETE ?versionId= with 403 AccessDenied "Access Denied".
// - An upload without lock headers gets the bucket's default retention (as on AWS); it accepts a
//   retain-until date that is not in the future (AWS refuses those).
// - Multipart uploads get no Object Lock at all: CreateMultipartUpload ignores the x-amz-object-lock-*
//   headers and CompleteMultipartUpload stores the object without lock or default retention (AWS applies
//   both). The lock of a multipart object is therefore not checkable here; its upload with Content-MD5 on
//   every part is, and so is deleting it once locked by PutObjectRetention.
// - RestoreObject completes immediately: the s3::keyrestore state model is registered with progression
//   "immediate" (moto/moto_api/__init__.py), so x-amz-restore never shows ongoing-request="true" here.
@testable import S3

final class S3ArchivalTests: XCTestCase {
    func store(bucket: String? = nil, lock: UploadObjectLock? = nil) throws -> S3Store {
        try S3TestServer.require().store(bucket: bucket, attempts: 2, lock: lock)
    }

    func read(_ store: S3Store, _ key: ObjectKey) throws -> [UInt8] {
        let reader = try store.open(key)
        defer { reader.close() }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while case let count = try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }), count > 0 {
            result += buffer[0..<count]
        }
        return result
    }

    func upload(_ store: S3Store, _ key: ObjectKey, _ bytes: [UInt8]) throws {
        let writer = try store.makeWriter(for: key)
        try bytes.withUnsafeBytes { try writer.write($0) }
        _ = try writer.commit()
    }

    func pattern(_ count: Int, seed: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ $0 >> 12) }
    }

    func assertDate(
        _ date: Date?, near expected: Date, _ message: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard let date else { return XCTFail("no date: \(message)", file: file, line: line) }
        XCTAssertEqual(
            date.timeIntervalSince1970, expected.timeIntervalSince1970, accuracy: 60, message, file: file, line: line)
    }

    func assertObjectLocked(
        _ body: @autoclosure () throws -> Void, key: ObjectKey, containing detail: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case .objectLocked(let lockedKey, let text)? = error as? StoreError else {
                return XCTFail("expected StoreError.objectLocked, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(lockedKey, key.rawValue, file: file, line: line)
            XCTAssertTrue(text.contains(detail), text, file: file, line: line)
            let failure = error as! StoreError
            XCTAssertEqual(failure.exitStatus, .failure, file: file, line: line)
            XCTAssertTrue(
                failure.message.contains(key.rawValue) && failure.message.contains("Object Lock"), failure.message)
            XCTAssertTrue(failure.hint?.contains("s3:BypassGovernanceRetention") == true, failure.hint ?? "no hint")
        }
    }

    // MARK: Object Lock on lifeboat-locked

    func testUploadsCarryTheConfiguredLockAndNeedTheIntegrityHeader() throws {
        let s3 = try store(bucket: S3TestServer.lockedBucket, lock: UploadObjectLock(mode: "GOVERNANCE", days: 3))
        let single = try ObjectKey("backups/b1/manifest.lbx")
        let multi = try ObjectKey("backups/b1/data.tar")
        let small = pattern(1000, seed: 1)
        let large = pattern(11 << 20, seed: 2)  // 11 MiB: three parts of 5 MiB
        let start = Date()
        try s3.put(single, data: small)
        try upload(s3, multi, large)
        let lock = try s3.objectLock(of: single)
        XCTAssertEqual(lock.mode, "GOVERNANCE")
        assertDate(lock.retainUntil, near: start.addingTimeInterval(3 * 86_400), "single PUT")
        XCTAssertFalse(lock.legalHold)
        // (The multipart object's lock is not checked: moto drops it, see the top of this file.)
        XCTAssertEqual(try read(s3, single), small)
        XCTAssertEqual(try read(s3, multi), large)

        // Without Object Lock configured the store sends no Content-MD5, and this bucket's default retention
        // makes the server refuse the upload: proof that the header sent above is the one that is required.
        let plain = try store(bucket: S3TestServer.lockedBucket)
        XCTAssertThrowsError(try plain.put(single, data: small)) { error in
            XCTAssertTrue("\(error)".contains("MissingUploadObjectWithObjectLockHeaders"), "\(error)")
        }
    }

    func testRepositoryLocksGetNoUploadLock() throws {
        let s3 = try store(bucket: S3TestServer.lockedBucket, lock: UploadObjectLock(mode: "COMPLIANCE", days: 3))
        let lockKey = try ObjectKey("locks/repository")
        let start = Date()
        XCTAssertTrue(try s3.createExclusive(lockKey, data: Array("holder".utf8)))
        let lock = try s3.objectLock(of: lockKey)
        // The key carries no lock headers, so it gets the bucket's default retention (GOVERNANCE, 1 day) and
        // not the configured COMPLIANCE for 3 days, which could never be lifted.
        XCTAssertEqual(lock.mode, "GOVERNANCE")
        assertDate(lock.retainUntil, near: start.addingTimeInterval(86_400), "locks/ key")
        // Releasing a repository lock is a plain DELETE (a delete marker), which retention does not prevent.
        try s3.delete(lockKey)
        XCTAssertNil(try s3.head(lockKey))
        XCTAssertTrue(try s3.createExclusive(lockKey, data: Array("next holder".utf8)))
    }

    func testLockedVersionsAreNotDeletedAndStayReadable() throws {
        let s3 = try store(bucket: S3TestServer.lockedBucket, lock: UploadObjectLock(mode: "GOVERNANCE", days: 2))
        let single = try ObjectKey("backups/b2/manifest.lbx")
        let multi = try ObjectKey("backups/b2/data.tar")
        let small = pattern(2000, seed: 3)
        let large = pattern(6 << 20, seed: 4)
        try s3.put(single, data: small)
        try upload(s3, multi, large)
        // moto stores multipart objects unlocked (see the top); lock it afterwards, as AWS would at upload.
        try s3.extendObjectLock(of: multi, mode: "GOVERNANCE", until: Date().addingTimeInterval(2 * 86_400))
        assertObjectLocked(try s3.deleteAllVersions(single), key: single, containing: "GOVERNANCE until")
        assertObjectLocked(try s3.deleteAllVersions(multi), key: multi, containing: "GOVERNANCE until")
        XCTAssertEqual(try read(s3, single), small)
        XCTAssertEqual(try read(s3, multi), large)
        XCTAssertEqual(try s3.versions(of: single).count, 1)
    }

    func testLegalHoldRefusesDeletionUntilCleared() throws {
        // A retain-until date of "now" (days: 0) has already passed when the delete comes, so only the legal
        // hold protects the object. moto accepts such a date; AWS would refuse it (it must be in the future),
        // and every upload without an explicit lock gets this bucket's 1-day default retention instead.
        let s3 = try store(bucket: S3TestServer.lockedBucket, lock: UploadObjectLock(mode: "GOVERNANCE", days: 0))
        let key = try ObjectKey("backups/b3/data.tar")
        let bytes = pattern(500, seed: 5)
        try s3.put(key, data: bytes)
        XCTAssertFalse(try s3.objectLock(of: key).legalHold)
        try s3.setLegalHold(true, for: key)
        XCTAssertTrue(try s3.objectLock(of: key).legalHold)
        assertObjectLocked(try s3.deleteAllVersions(key), key: key, containing: "legal hold on")
        XCTAssertEqual(try read(s3, key), bytes)

        try s3.setLegalHold(false, for: key)
        XCTAssertFalse(try s3.objectLock(of: key).legalHold)
        try s3.deleteAllVersions(key)
        XCTAssertNil(try s3.head(key))
        XCTAssertEqual(try s3.versions(of: key), [], "no version and no delete marker may remain")
    }

    func testExtendingALockMovesItLaterButNeverEarlier() throws {
        let s3 = try store(bucket: S3TestServer.lockedBucket, lock: UploadObjectLock(mode: "GOVERNANCE", days: 2))
        let key = try ObjectKey("backups/b4/data.tar")
        let start = Date()
        try s3.put(key, data: pattern(100, seed: 6))
        assertDate(try s3.objectLock(of: key).retainUntil, near: start.addingTimeInterval(2 * 86_400), "uploaded")

        try s3.extendObjectLock(of: key, mode: "GOVERNANCE", until: start.addingTimeInterval(5 * 86_400))
        let extended = try s3.objectLock(of: key)
        XCTAssertEqual(extended.mode, "GOVERNANCE")
        assertDate(extended.retainUntil, near: start.addingTimeInterval(5 * 86_400), "extended")

        try s3.extendObjectLock(of: key, mode: "GOVERNANCE", until: start.addingTimeInterval(3 * 86_400))
        XCTAssertEqual(try s3.objectLock(of: key).retainUntil, extended.retainUntil, "an earlier date is a no-op")
        XCTAssertThrowsError(
            try s3.extendObjectLock(of: try ObjectKey("backups/b4/missing"), mode: "GOVERNANCE", until: start)
        ) {
            guard case .notFound? = $0 as? StoreError else { return XCTFail("\($0)") }
        }
    }

    // MARK: rehydration on lifeboat-test

    func testArchivedObjectIsRehydratedAndThenReadable() throws {
        let s3 = try store()
        let key = try ObjectKey("backups/c/data.tar")
        let bytes = pattern(3000, seed: 7)
        try s3.put(key, data: bytes)
        XCTAssertEqual(try s3.rehydration(of: key), Rehydration(storageClass: "STANDARD", state: .online))

        try s3.setStorageClass("GLACIER", for: key)
        XCTAssertEqual(try s3.rehydration(of: key), Rehydration(storageClass: "GLACIER", state: .archived))
        XCTAssertThrowsError(try read(s3, key)) { error in
            guard case .archived(let archivedKey, let storageClass)? = error as? S3Error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(archivedKey, key.rawValue)
            XCTAssertEqual(storageClass, "GLACIER")
            XCTAssertTrue((error as! S3Error).hint?.contains("--wait") == true)
        }

        let start = Date()
        try s3.requestRehydration(of: key, days: 2, tier: .standard)
        // moto finishes the restore at once; on AWS this loop would wait hours (standard tier).
        var state = try s3.rehydration(of: key)
        let deadline = Date().addingTimeInterval(30)
        while !state.readable && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            state = try s3.rehydration(of: key)
        }
        guard case .restored(let until) = state.state else { return XCTFail("not restored: \(state)") }
        XCTAssertEqual(state.storageClass, "GLACIER")
        assertDate(until, near: start.addingTimeInterval(2 * 86_400), "expiry of the restored copy")
        XCTAssertEqual(try read(s3, key), bytes)

        try s3.requestRehydration(of: key, days: 2, tier: .standard)  // again: not an error
        XCTAssertTrue(try s3.rehydration(of: key).readable)
        XCTAssertEqual(try read(s3, key), bytes)
    }

    func testInstantRetrievalClassIsOnlineAndOnlineObjectsNeedNoRehydration() throws {
        let s3 = try store()
        let key = try ObjectKey("backups/c/ir.tar")
        let bytes = pattern(100, seed: 8)
        try s3.put(key, data: bytes)
        try s3.setStorageClass("GLACIER_IR", for: key)
        XCTAssertEqual(try s3.rehydration(of: key), Rehydration(storageClass: "GLACIER_IR", state: .online))
        // S3 answers RestoreObject on a non-archive class with 403 InvalidObjectState; the store must not ask.
        try s3.requestRehydration(of: key, days: 1, tier: .bulk)
        XCTAssertEqual(try read(s3, key), bytes)
        XCTAssertThrowsError(try s3.rehydration(of: try ObjectKey("backups/c/missing"))) {
            guard case .notFound? = $0 as? StoreError else { return XCTFail("\($0)") }
        }
    }

    // MARK: deleteAllVersions without Object Lock

    func testDeleteAllVersionsRemovesEveryVersionOnAVersionedBucket() throws {
        let s3 = try store(bucket: S3TestServer.versionedBucket)
        let key = try ObjectKey("backups/d/data.tar")
        let neighbour = try ObjectKey("backups/d/data.tar2")
        for round in 0..<3 { try s3.put(key, data: pattern(100, seed: round)) }
        try s3.delete(key)  // a delete marker
        try s3.put(key, data: pattern(100, seed: 9))
        try s3.put(neighbour, data: pattern(10, seed: 10))
        let before = try s3.versions(of: key)
        XCTAssertEqual(before.count, 5)
        XCTAssertEqual(before.filter(\.isDeleteMarker).count, 1)
        // Same entries when listed two per page (moto orders delete markers after versions across pages).
        XCTAssertEqual(
            try s3.versions(of: key, pageSize: 2).sorted { $0.versionId < $1.versionId },
            before.sorted { $0.versionId < $1.versionId }, "paging with key and version-id markers")

        try s3.deleteAllVersions(key)
        XCTAssertEqual(try s3.versions(of: key), [])
        XCTAssertNil(try s3.head(key))
        XCTAssertEqual(try read(s3, neighbour), pattern(10, seed: 10), "a key it is a prefix of is untouched")
        try s3.deleteAllVersions(key)  // nothing left: no error and no new delete marker
        XCTAssertEqual(try s3.versions(of: key), [])
    }

    func testDeleteAllVersionsOnAnUnversionedBucket() throws {
        let s3 = try store()
        let key = try ObjectKey("backups/e/data.tar")
        try s3.put(key, data: pattern(100, seed: 11))
        XCTAssertEqual(try s3.versions(of: key).map(\.versionId), ["null"])
        try s3.deleteAllVersions(key)
        XCTAssertNil(try s3.head(key))
        XCTAssertEqual(try s3.versions(of: key), [])
    }
}
