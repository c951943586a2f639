import Storage
// The one conformance suite every BlobStore runs (LocalStore, MemoryStore here; S3Store where its server is;
// each also through a decorator). It checks the contract written in Sources/IO/Storage/BlobStore.swift, and
// that what a store claims in `capabilities` matches what it does.
import XCTest

enum StoreConformance {
    /// `otherStorageClass` is a class a store claiming `.storageClasses` can move an object to.
    static func run(
        _ store: BlobStore, otherStorageClass: String = "STANDARD_IA",
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        try putGetReplace(store)
        try streamingWriterIsInvisibleUntilCommit(store)
        try abortLeavesNothing(store)
        try missingObjects(store)
        try listingByPrefix(store)
        try exclusiveCreate(store)
        try largeStreamedObject(store)
        try claimedViews(store)
        try claimedArchivalOperations(store, otherStorageClass: otherStorageClass)
        try claimedBucketOperations(store)
    }

    static func key(_ text: String) throws -> ObjectKey { try ObjectKey(text) }

    static func putGetReplace(_ store: BlobStore) throws {
        let key = try key("conformance/put/one.bin")
        try store.put(key, data: Array("first".utf8))
        XCTAssertEqual(try store.get(key), Array("first".utf8))
        try store.put(key, data: Array("second, longer".utf8))
        XCTAssertEqual(try store.get(key), Array("second, longer".utf8))
        XCTAssertEqual(try store.head(key)?.size, 14)
        try store.put(try self.key("conformance/put/empty"), data: [])
        XCTAssertEqual(try store.get(try self.key("conformance/put/empty")), [])
    }

    static func streamingWriterIsInvisibleUntilCommit(_ store: BlobStore) throws {
        let key = try key("conformance/stream/object")
        let writer = try store.makeWriter(for: key)
        try [UInt8](repeating: 7, count: 1000).withUnsafeBytes { try writer.write($0) }
        XCTAssertNil(try store.head(key), "an uncommitted object must not be visible")
        XCTAssertFalse(try store.list(prefix: "conformance/stream/").contains { $0.key == key })
        let info = try writer.commit()
        XCTAssertEqual(info.size, 1000)
        XCTAssertEqual(try store.get(key), [UInt8](repeating: 7, count: 1000))
    }

    static func abortLeavesNothing(_ store: BlobStore) throws {
        let key = try key("conformance/abort/object")
        let writer = try store.makeWriter(for: key)
        try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try writer.write($0) }
        writer.abort()
        writer.abort()
        XCTAssertNil(try store.head(key))
        XCTAssertEqual(try store.list(prefix: "conformance/abort/").count, 0)
    }

    static func missingObjects(_ store: BlobStore) throws {
        let key = try key("conformance/missing/nothing")
        XCTAssertNil(try store.head(key))
        XCTAssertThrowsError(try store.open(key)) { error in
            guard case StoreError.notFound(let missing, _) = error else {
                return XCTFail("expected notFound, got \(error)")
            }
            XCTAssertEqual(missing, key.rawValue)
        }
        XCTAssertNoThrow(try store.delete(key), "deleting a missing object is idempotent")
    }

    static func listingByPrefix(_ store: BlobStore) throws {
        for name in [
            "conformance/list/a/1", "conformance/list/a/2", "conformance/list/ab", "conformance/list/b/1",
            "conformance/lister",
        ] {
            try store.put(try key(name), data: [1])
        }
        XCTAssertEqual(
            try store.list(prefix: "conformance/list/a/").map(\.key.rawValue),
            ["conformance/list/a/1", "conformance/list/a/2"])
        XCTAssertEqual(
            try store.list(prefix: "conformance/list/a").map(\.key.rawValue),
            ["conformance/list/a/1", "conformance/list/a/2", "conformance/list/ab"])
        XCTAssertEqual(try store.list(prefix: "conformance/list").count, 5)
        XCTAssertEqual(try store.list(prefix: "conformance/nothing-here/").count, 0)
        try store.delete(try key("conformance/list/a/1"))
        XCTAssertEqual(try store.list(prefix: "conformance/list/a/").map(\.key.rawValue), ["conformance/list/a/2"])
    }

    static func exclusiveCreate(_ store: BlobStore) throws {
        XCTAssertTrue(
            store.capabilities.contains(.exclusiveCreate),
            "locks need exclusive create: \(store.capabilities)")
        let key = try key("conformance/exclusive/lock")
        XCTAssertTrue(try store.createExclusive(key, data: Array("mine".utf8)))
        XCTAssertFalse(try store.createExclusive(key, data: Array("theirs".utf8)))
        XCTAssertEqual(try store.get(key), Array("mine".utf8), "a refused exclusive create must not change the object")
        try store.delete(key)
        XCTAssertTrue(try store.createExclusive(key, data: Array("again".utf8)))
    }

    static func largeStreamedObject(_ store: BlobStore) throws {
        let key = try key("conformance/large/object")
        let writer = try store.makeWriter(for: key)
        var expected = SHA()
        var block = [UInt8](repeating: 0, count: 256 * 1024)
        for round in 0..<40 {
            for index in block.indices { block[index] = UInt8(truncatingIfNeeded: index &* 31 &+ round) }
            expected.add(block)
            try block.withUnsafeBytes { try writer.write($0) }
        }
        _ = try writer.commit()
        let reader = try store.open(key)
        defer { reader.close() }
        var actual = SHA()
        var buffer = [UInt8](repeating: 0, count: 100_000)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { break }
            actual.add(buffer[0..<count])
        }
        XCTAssertEqual(actual, expected)
        XCTAssertEqual(try store.head(key)?.size, 40 * 256 * 1024)
    }
}

extension StoreConformance {
    /// A view is offered exactly when a capability it serves is claimed, so `store.archival(for:)` and
    /// `store.bucket(for:)` never hand out a view for an unclaimed capability or hide one for a claimed one.
    static func claimedViews(_ store: BlobStore) throws {
        let claims = store.capabilities
        XCTAssertEqual(
            store.archival != nil, !claims.isDisjoint(with: .archivalOperations),
            "archival view vs claims \(claims)")
        XCTAssertEqual(
            store.bucket != nil, !claims.isDisjoint(with: .bucketOperations),
            "bucket view vs claims \(claims)")
        for capability in [StoreCapabilities.storageClasses, .rehydration, .objectLock, .versioning] {
            XCTAssertEqual(store.archival(for: capability) != nil, claims.contains(capability), "\(capability)")
        }
        for capability in [StoreCapabilities.objectLock, .versioning, .incompleteUploads] {
            XCTAssertEqual(store.bucket(for: capability) != nil, claims.contains(capability), "\(capability)")
        }
    }

    static func claimedArchivalOperations(_ store: BlobStore, otherStorageClass: String) throws {
        let key = try key("backups/conformance/archival.bin")
        try store.put(key, data: [1, 2, 3])
        let claims = store.capabilities
        if let archival = store.archival(for: .storageClasses) {
            XCTAssertNotNil(try store.head(key)?.storageClass, "a store with storage classes reports them")
            try archival.setStorageClass(otherStorageClass, for: key)
            XCTAssertEqual(try store.head(key)?.storageClass, otherStorageClass)
            XCTAssertEqual(
                try store.list(prefix: "backups/conformance/").first { $0.key == key }?.storageClass,
                otherStorageClass)
        } else {
            XCTAssertFalse(claims.contains(.storageClasses))
        }
        if let archival = store.archival(for: .rehydration) {
            XCTAssertTrue(try archival.rehydration(of: key).readable, "an object just written is readable")
        }
        if let archival = store.archival(for: .objectLock) {
            XCTAssertFalse(try archival.objectLock(of: key).legalHold, "no legal hold unless one was set")
        }
        if let archival = store.archival(for: .versioning) {
            try archival.deleteAllVersions(key)
            XCTAssertNil(try store.head(key), "deleting every version removes the object")
            XCTAssertNoThrow(try archival.deleteAllVersions(key), "and is idempotent")
        } else {
            try store.delete(key)
        }
    }

    /// Runs after the writers above: committed and aborted writers leave no incomplete upload behind.
    static func claimedBucketOperations(_ store: BlobStore) throws {
        if let bucket = store.bucket(for: .objectLock) {
            XCTAssertNoThrow(try bucket.objectLockEnabled())
        }
        if let bucket = store.bucket(for: .versioning) {
            XCTAssertEqual(try bucket.status().objectLock, try bucket.objectLockEnabled())
        }
        if let bucket = store.bucket(for: .incompleteUploads) {
            XCTAssertEqual(try bucket.incompleteUploads(), [], "every writer above committed or aborted")
        }
    }
}

/// A cheap order-sensitive checksum (FNV-1a) for comparing streams without the Cipher module.
struct SHA: Equatable {
    var state: UInt64 = 0xcbf2_9ce4_8422_2325
    var count = 0
    mutating func add<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        for byte in bytes {
            state = (state ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        count += bytes.count
    }
}
