// Storage classes: read with `head`/`list`; changed in place with CopyObject onto the same key (the mechanism
// the tiering policy uses). Objects over 5 GiB would need UploadPartCopy, which is not implemented yet.
import Foundation
import S3Protocol
import Storage

extension S3Store {
    public func setStorageClass(_ storageClass: String, for key: ObjectKey) throws {
        let full = fullKey(key)
        var request = S3Request(operation: "storage class change of '\(key)' to \(storageClass)", method: .put, key: full)
        request.headers = [("x-amz-copy-source", "/" + configuration.bucket + "/" + S3Path.encodeKey(full)),
                           ("x-amz-metadata-directive", "COPY"), ("x-amz-storage-class", storageClass)]
        if let sse = configuration.serverSideEncryption { request.headers.append(("x-amz-server-side-encryption", sse)) }
        let response = try perform(request)
        // CopyObject, like CompleteMultipartUpload, can fail with 200 and an <Error> body.
        if let error = S3XML.error(response.body) {
            throw failure(request, status: 200, body: error, attempts: ["HTTP 200 \(error.code)"])
        }
    }

    /// Bucket facts for `lifeboat check`: reachable with these credentials, versioning, Object Lock.
    public func bucketStatus() throws -> (versioning: String?, objectLock: Bool) {
        var listing = S3Request(operation: "listing of bucket '\(configuration.bucket)'", method: .get, key: nil)
        listing.query = [("list-type", "2"), ("max-keys", "1")]
        _ = try perform(listing)
        var versioning = S3Request(operation: "versioning status of '\(configuration.bucket)'", method: .get, key: nil)
        versioning.query = [("versioning", "")]
        let versioningStatus = try S3XML.versioningStatus(try perform(versioning).body)
        var lock = S3Request(operation: "object lock status of '\(configuration.bucket)'", method: .get, key: nil)
        lock.query = [("object-lock", "")]
        let locked: Bool
        do {
            locked = try S3XML.objectLockConfiguration(try perform(lock).body).enabled
        } catch let error as S3Error {
            // Buckets without Object Lock answer 404 ObjectLockConfigurationNotFoundError.
            guard case .request(_, 404, _, _, _, _) = error else { throw error }
            locked = false
        }
        return (versioningStatus, locked)
    }
}
