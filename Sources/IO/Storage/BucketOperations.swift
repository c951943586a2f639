// BucketOperations: what a store that lives in a bucket of an object store (S3) offers on the bucket itself:
// its settings, the uploads interrupted writers left in it, and the same store uploading under Object Lock.
// A store hands this view out as `store.bucket` when it claims one of `StoreCapabilities.bucketOperations`;
// a local directory is not in a bucket (nil).
import Foundation

public protocol BucketOperations: Sendable {
    /// The bucket's name, for messages.
    var name: String { get }

    /// Versioning and Object Lock settings; also proves the bucket answers these credentials (`lifeboat check`).
    func status() throws -> BucketStatus
    /// Whether Object Lock is enabled on the bucket (one request; cheaper than `status()`).
    func objectLockEnabled() throws -> Bool

    /// Uploads started under the store's keys and neither completed nor aborted, oldest knowledge first.
    func incompleteUploads() throws -> [PendingUpload]
    /// Aborts one, so its parts stop being stored.
    func abort(_ upload: PendingUpload) throws

    /// The same store (with the same decorators) uploading every new object under `lock`, except repository
    /// locks under `locks/`, which are deleted when each run ends.
    func withUploadLock(_ lock: UploadObjectLock) -> BlobStore
}
