// S3ObjectSummary: one <Contents> entry of a ListObjectsV2 page.
import Foundation

public struct S3ObjectSummary: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var lastModified: Date
    /// As the server names it ("STANDARD", "GLACIER", "DEEP_ARCHIVE", ...); nil when the server omits it.
    public var storageClass: String?
    /// Verbatim, including the surrounding double quotes S3 puts there.
    public var eTag: String?

    public init(key: String, size: Int64, lastModified: Date, storageClass: String? = nil, eTag: String? = nil) {
        self.key = key
        self.size = size
        self.lastModified = lastModified
        self.storageClass = storageClass
        self.eTag = eTag
    }
}
