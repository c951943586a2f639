// Decorators wrap any store: the conformance suite runs through InterceptedStore over MemoryStore and
// LocalStore, and the optional views (archival, bucket) are handed out decorated, including the store a bucket
// derives for uploads under Object Lock.
import Foundation
import Storage
import XCTest

final class StoreDecoratorTests: XCTestCase {
    func testMemoryStoreConformanceThroughACountingDecorator() throws {
        let counter = CountingInterceptor()
        let memory = MemoryStore()
        let store = InterceptedStore(memory, counter)
        try StoreConformance.run(store)
        XCTAssertEqual(store.capabilities, memory.capabilities, "a decorator adds no capability and hides none")
        XCTAssertEqual(store.location, memory.location)
        for kind: StoreOperation.Kind in [.put, .commit, .abort, .open, .head, .list, .delete, .createExclusive] {
            XCTAssertGreaterThan(counter.count(kind), 0, "\(kind) goes through the interceptor")
        }
        XCTAssertEqual(counter.count(.setStorageClass), 0, "MemoryStore claims no storage classes")
    }

    func testLocalStoreConformanceThroughALoggingDecorator() throws {
        let root = NSTemporaryDirectory() + "lifeboat-decorated-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let lines = Lines()
        let local = try LocalStore(root: root)
        let logging = LoggingInterceptor(location: local.location, log: lines.append)
        try StoreConformance.run(InterceptedStore(local, logging))
        let log = lines.all
        let put = "store \(local.location): put 'conformance/put/one.bin' (5 bytes) done in "
        XCTAssertTrue(log.contains { $0.hasPrefix(put) }, log.prefix(5).joined(separator: "\n"))
        XCTAssertTrue(log.contains { $0.contains("commit 'conformance/large/object' (10485760 bytes) done") })
        let failed = "open 'conformance/missing/nothing' failed in "
        XCTAssertTrue(
            log.contains { $0.contains(failed) && $0.contains("missing") },
            "a failure is logged with its error and still thrown (the suite checks notFound)")
    }

    func testViewsAreDecoratedAndAStoreUnderUploadLockKeepsTheDecorator() throws {
        let counter = CountingInterceptor()
        let fake = FakeBucketStore()
        let store = InterceptedStore(fake, counter)
        XCTAssertEqual(store.capabilities, [.exclusiveCreate, .storageClasses, .incompleteUploads])
        XCTAssertNil(store.archival(for: .rehydration), "an unclaimed capability has no view")
        let key = try ObjectKey("backups/c/x")
        try store.archival(for: .storageClasses)?.setStorageClass("GLACIER", for: key)
        XCTAssertEqual(fake.classes.value[key], "GLACIER")
        XCTAssertEqual(counter.count(.setStorageClass), 1)
        let uploads = try XCTUnwrap(store.bucket(for: .incompleteUploads)).incompleteUploads()
        XCTAssertEqual(uploads.map(\.key.rawValue), ["backups/c/leftover"])
        try store.bucket?.abort(uploads[0])
        XCTAssertEqual(counter.count(.incompleteUploads), 1)
        XCTAssertEqual(counter.count(.abortUpload), 1)

        let locked = try XCTUnwrap(store.bucket).withUploadLock(UploadObjectLock(mode: "GOVERNANCE", days: 7))
        XCTAssertTrue(locked is InterceptedStore, "the derived store is decorated like the one it came from")
        try locked.put(key, data: [1])
        XCTAssertEqual(counter.count(.put), 1)
        XCTAssertEqual(fake.uploadLocks.value, [UploadObjectLock(mode: "GOVERNANCE", days: 7)])
    }

    func testCapabilitiesDescribeThemselves() {
        XCTAssertEqual(StoreCapabilities().description, "none")
        XCTAssertEqual(MemoryStore().capabilities.description, "exclusive create")
        XCTAssertEqual(StoreCapabilities([.objectLock, .storageClasses]).description, "storage classes, object lock")
    }
}

/// Counts operations by kind.
final class CountingInterceptor: StoreInterceptor, @unchecked Sendable {
    // Guarded by `lock`: stores are used from several threads.
    private let lock = NSLock()
    private var counts: [StoreOperation.Kind: Int] = [:]

    func intercept<T>(_ operation: StoreOperation, _ body: () throws -> T) throws -> T {
        lock.withLock { counts[operation.kind, default: 0] += 1 }
        return try body()
    }

    func count(_ kind: StoreOperation.Kind) -> Int { lock.withLock { counts[kind] ?? 0 } }
}

/// Log lines collected from any thread.
final class Lines: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    @Sendable func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// A value shared between a test double and its views.
final class Shared<Value: Sendable>: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}

/// A store in a "bucket" with storage classes and incomplete uploads, built from nothing but the protocols:
/// what no downcast to a concrete store type could ever have let a test provide.
final class FakeBucketStore: ForwardingStore, @unchecked Sendable {
    let classes = Shared<[ObjectKey: String]>([:])
    let uploadLocks = Shared<[UploadObjectLock]>([])

    override var capabilities: StoreCapabilities { [.exclusiveCreate, .storageClasses, .incompleteUploads] }
    override var archival: (any ArchivalOperations)? { FakeArchival(classes: classes) }
    override var bucket: (any BucketOperations)? { FakeBucket(store: self) }
}

struct FakeArchival: ArchivalOperations {
    let classes: Shared<[ObjectKey: String]>
    struct Unsupported: Error {}

    func setStorageClass(_ storageClass: String, for key: ObjectKey) throws {
        classes.update { $0[key] = storageClass }
    }
    func rehydration(of key: ObjectKey) throws -> Rehydration { throw Unsupported() }
    func requestRehydration(of key: ObjectKey, days: Int, tier: RehydrationTier) throws { throw Unsupported() }
    func objectLock(of key: ObjectKey) throws -> ObjectLockState { throw Unsupported() }
    func extendObjectLock(of key: ObjectKey, mode: String, until: Date) throws { throw Unsupported() }
    func setLegalHold(_ on: Bool, for key: ObjectKey) throws { throw Unsupported() }
    func deleteAllVersions(_ key: ObjectKey) throws { throw Unsupported() }
}

struct FakeBucket: BucketOperations {
    let store: FakeBucketStore
    var name: String { "fake" }

    func status() throws -> BucketStatus { BucketStatus(versioning: nil, objectLock: false) }
    func objectLockEnabled() throws -> Bool { false }
    func incompleteUploads() throws -> [PendingUpload] {
        [
            PendingUpload(
                key: try ObjectKey("backups/c/leftover"), storeKey: "p/backups/c/leftover", uploadId: "u1",
                initiated: nil)
        ]
    }
    func abort(_ upload: PendingUpload) throws {}
    func withUploadLock(_ lock: UploadObjectLock) -> BlobStore {
        store.uploadLocks.update { $0.append(lock) }
        return store
    }
}
