// InterceptedStore: a decorator that wraps any BlobStore and runs a StoreInterceptor around each operation,
// including those of its `archival` and `bucket` views, which it hands out decorated too (a store built from
// `bucket.withUploadLock` keeps the decorator). Capabilities are the wrapped store's: a decorator adds
// behaviour around operations, never operations.
public struct InterceptedStore: BlobStore {
    public let inner: BlobStore
    let interceptor: any StoreInterceptor

    public init(_ inner: BlobStore, _ interceptor: any StoreInterceptor) {
        self.inner = inner
        self.interceptor = interceptor
    }

    public var location: String { inner.location }
    public var capabilities: StoreCapabilities { inner.capabilities }

    public var archival: (any ArchivalOperations)? {
        inner.archival.map { InterceptedArchival(inner: $0, interceptor: interceptor) }
    }

    public var bucket: (any BucketOperations)? {
        inner.bucket.map { InterceptedBucket(inner: $0, interceptor: interceptor) }
    }

    public func put(_ key: ObjectKey, data: [UInt8]) throws {
        try interceptor.intercept(StoreOperation(.put, key.rawValue, bytes: Int64(data.count))) {
            try inner.put(key, data: data)
        }
    }

    /// Creating a writer sends nothing; its commit (and abort) do, and are intercepted.
    public func makeWriter(for key: ObjectKey) throws -> BlobWriter {
        InterceptedWriter(inner: try inner.makeWriter(for: key), key: key, interceptor: interceptor)
    }

    public func open(_ key: ObjectKey) throws -> BlobReader {
        try interceptor.intercept(StoreOperation(.open, key.rawValue)) { try inner.open(key) }
    }

    public func head(_ key: ObjectKey) throws -> BlobInfo? {
        try interceptor.intercept(StoreOperation(.head, key.rawValue)) { try inner.head(key) }
    }

    public func list(prefix: String) throws -> [BlobInfo] {
        try interceptor.intercept(StoreOperation(.list, prefix)) { try inner.list(prefix: prefix) }
    }

    public func delete(_ key: ObjectKey) throws {
        try interceptor.intercept(StoreOperation(.delete, key.rawValue)) { try inner.delete(key) }
    }

    public func createExclusive(_ key: ObjectKey, data: [UInt8]) throws -> Bool {
        try interceptor.intercept(StoreOperation(.createExclusive, key.rawValue, bytes: Int64(data.count))) {
            try inner.createExclusive(key, data: data)
        }
    }
}
