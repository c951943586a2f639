// S3Bucket: the `bucket` view of an S3Store: the bucket's settings, the incomplete multipart uploads under the
// store's prefix (keys made relative to it; uploads of other prefixes are not the store's and are left out),
// and the store uploading under Object Lock.
import Storage

struct S3Bucket: BucketOperations {
    let store: S3Store

    var name: String { store.configuration.bucket }

    func status() throws -> BucketStatus {
        let status = try store.bucketStatus()
        return BucketStatus(versioning: status.versioning, objectLock: status.objectLock)
    }

    func objectLockEnabled() throws -> Bool { try store.objectLockEnabled() }

    func incompleteUploads() throws -> [PendingUpload] {
        try store.incompleteUploads().compactMap { upload in
            store.objectKey(fromFull: upload.key).map {
                PendingUpload(key: $0, storeKey: upload.key, uploadId: upload.uploadId, initiated: upload.initiated)
            }
        }
    }

    func abort(_ upload: PendingUpload) throws {
        try store.abortUpload(
            S3Store.IncompleteUpload(
                key: upload.storeKey, uploadId: upload.uploadId,
                initiated: upload.initiated))
    }

    func withUploadLock(_ lock: UploadObjectLock) -> BlobStore { store.withUploadLock(lock) }
}
