// Storage: the one interface every repository backend implements (local directory, S3, memory).
//
// The contract (docs/format.md §Storage repeats it for implementers of other readers):
// - Keys are relative, '/'-separated paths validated by `ObjectKey` (no empty, "." or ".." segments).
// - `put` and a committed `BlobWriter` are atomic: a reader sees the whole new object or the old state, never
//   a partial object. A writer's bytes are invisible until `commit()`; `abort()` (or a crash) leaves no
//   visible object. Crash leftovers of a local store live under `.tmp/` and are never listed.
// - Writing an existing key replaces it atomically. `createExclusive` is the only conditional write: it
//   creates the object only when the key is absent and reports whether it did (used for locks).
// - `open`, `head` and `delete` of a missing key: `open` throws `StoreError.notFound`, `head` returns nil,
//   `delete` succeeds (idempotent).
// - `list(prefix:)` returns every committed object whose key starts with `prefix`, sorted by key.
// - Every operation except `createExclusive` is idempotent and may be retried by a wrapper after a transient
//   failure; stores themselves never retry permanent failures.
// - What a store can do beyond this (storage classes, rehydration, Object Lock, versions, incomplete uploads)
//   it says in `capabilities`, and offers through the `archival` and `bucket` views, so no caller needs to
//   know which store it has and every decorator (InterceptedStore) can pass them through.
import Foundation

public protocol BlobStore: Sendable {
    /// Where the store lives, for messages; never contains credentials.
    var location: String { get }

    func put(_ key: ObjectKey, data: [UInt8]) throws
    func makeWriter(for key: ObjectKey) throws -> BlobWriter
    func open(_ key: ObjectKey) throws -> BlobReader
    func head(_ key: ObjectKey) throws -> BlobInfo?
    func list(prefix: String) throws -> [BlobInfo]
    func delete(_ key: ObjectKey) throws
    func createExclusive(_ key: ObjectKey, data: [UInt8]) throws -> Bool

    /// What the store can do beyond the operations above; the conformance suite checks every claim.
    var capabilities: StoreCapabilities { get }
    /// Per-object storage classes, rehydration, Object Lock and versions: non-nil exactly when `capabilities`
    /// has one of `StoreCapabilities.archivalOperations`.
    var archival: (any ArchivalOperations)? { get }
    /// The bucket the store lives in: non-nil exactly when `capabilities` has one of
    /// `StoreCapabilities.bucketOperations`.
    var bucket: (any BucketOperations)? { get }
}

/// A streaming upload. Used by one thread at a time.
public protocol BlobWriter: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Makes the object visible atomically and durably.
    func commit() throws -> BlobInfo
    /// Discards everything written; safe to call after a failure and more than once.
    func abort()
}

/// A streaming download. Used by one thread at a time.
public protocol BlobReader: AnyObject {
    /// Fills `buffer` and returns the number of bytes, 0 at the end of the object.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    func close()
}

extension BlobStore {
    /// Reads a whole (small) object; meant for manifests, key slots and locks, never for data objects.
    public func get(_ key: ObjectKey) throws -> [UInt8] {
        let reader = try open(key)
        defer { reader.close() }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if count == 0 { return result }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    public func exists(_ key: ObjectKey) throws -> Bool { try head(key) != nil }

    /// The archival view when the store claims `capability` (e.g. `.rehydration`), else nil.
    public func archival(for capability: StoreCapabilities) -> (any ArchivalOperations)? {
        capabilities.contains(capability) ? archival : nil
    }

    /// The bucket view when the store claims `capability` (e.g. `.incompleteUploads`), else nil.
    public func bucket(for capability: StoreCapabilities) -> (any BucketOperations)? {
        capabilities.contains(capability) ? bucket : nil
    }
}
