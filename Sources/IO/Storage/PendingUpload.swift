// PendingUpload: an upload a writer started and never completed or aborted (killed mid-backup), as a bucket
// lists it for cleanup.
import Foundation

public struct PendingUpload: Sendable, Equatable {
    /// The key the upload was writing, relative to the store (its prefix removed).
    public let key: ObjectKey
    /// The store's own identification of the upload (S3: the object's full key and the upload id).
    public let storeKey: String
    public let uploadId: String
    public let initiated: Date?

    public init(key: ObjectKey, storeKey: String, uploadId: String, initiated: Date?) {
        self.key = key
        self.storeKey = storeKey
        self.uploadId = uploadId
        self.initiated = initiated
    }
}
