// InterceptedBucket: the `bucket` view of an InterceptedStore, each operation intercepted; the store it
// derives for uploads under Object Lock is decorated the same way.
struct InterceptedBucket: BucketOperations {
    let inner: any BucketOperations
    let interceptor: any StoreInterceptor

    var name: String { inner.name }

    func status() throws -> BucketStatus {
        try interceptor.intercept(StoreOperation(.bucketStatus, inner.name)) { try inner.status() }
    }

    func objectLockEnabled() throws -> Bool {
        try interceptor.intercept(StoreOperation(.objectLockEnabled, inner.name)) { try inner.objectLockEnabled() }
    }

    func incompleteUploads() throws -> [PendingUpload] {
        try interceptor.intercept(StoreOperation(.incompleteUploads, inner.name)) { try inner.incompleteUploads() }
    }

    func abort(_ upload: PendingUpload) throws {
        try interceptor.intercept(StoreOperation(.abortUpload, upload.key.rawValue)) { try inner.abort(upload) }
    }

    func withUploadLock(_ lock: UploadObjectLock) -> BlobStore {
        InterceptedStore(inner.withUploadLock(lock), interceptor)
    }
}
