// Bucket facts for `lifeboat check`: whether the bucket answers these credentials, its versioning and whether
// Object Lock is enabled on it.
import Foundation
import S3Protocol
import Storage

extension S3Store {
    /// Bucket facts for `lifeboat check`: reachable with these credentials, versioning, Object Lock.
    public func bucketStatus() throws -> (versioning: String?, objectLock: Bool) {
        var listing = S3Request(operation: "listing of bucket '\(configuration.bucket)'", method: .get, key: nil)
        listing.query = [("list-type", "2"), ("max-keys", "1")]
        _ = try perform(listing)
        var versioning = S3Request(operation: "versioning status of '\(configuration.bucket)'", method: .get, key: nil)
        versioning.query = [("versioning", "")]
        let versioningStatus = try S3XML.versioningStatus(try perform(versioning).body)
        return (versioningStatus, try objectLockEnabled())
    }

    /// Whether Object Lock is enabled on the bucket (one request).
    public func objectLockEnabled() throws -> Bool {
        var lock = S3Request(operation: "object lock status of '\(configuration.bucket)'", method: .get, key: nil)
        lock.query = [("object-lock", "")]
        do {
            return try S3XML.objectLockConfiguration(try perform(lock).body).enabled
        } catch let error as S3Error {
            // Buckets without Object Lock answer 404 ObjectLockConfigurationNotFoundError.
            guard case .request(_, 404, _, _, _, _) = error else { throw error }
            return false
        }
    }

    /// The same store, uploading every object under `lock`, through the same executor chain (the lock changes
    /// only the headers the store puts on uploads, not how requests are sent).
    public func withUploadLock(_ lock: UploadObjectLock) -> S3Store {
        var configuration = self.configuration
        configuration.objectLock = lock
        return S3Store(configuration, executor: executor)
    }
}
