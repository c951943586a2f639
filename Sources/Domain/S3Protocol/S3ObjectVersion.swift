// S3ObjectVersion: one <Version> or <DeleteMarker> entry of a ListObjectVersions page.

public struct S3ObjectVersion: Sendable, Equatable {
    public var key: String
    /// "null" for the version written while the bucket was unversioned (S3's own spelling).
    public var versionId: String
    public var isDeleteMarker: Bool
    public var isLatest: Bool

    public init(key: String, versionId: String, isDeleteMarker: Bool, isLatest: Bool) {
        self.key = key
        self.versionId = versionId
        self.isDeleteMarker = isDeleteMarker
        self.isLatest = isLatest
    }
}
