// What a store knows about one committed object.
import Foundation

public struct BlobInfo: Sendable, Equatable, Codable {
    public var key: ObjectKey
    public var size: Int64
    public var modified: Date
    /// The backend's storage class (S3), nil where the backend has none.
    public var storageClass: String?

    public init(key: ObjectKey, size: Int64, modified: Date, storageClass: String? = nil) {
        self.key = key
        self.size = size
        self.modified = modified
        self.storageClass = storageClass
    }
}
