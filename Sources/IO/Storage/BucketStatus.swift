// BucketStatus: the bucket settings `lifeboat check` reports.

public struct BucketStatus: Sendable, Equatable {
    /// "Enabled" or "Suspended"; nil when versioning was never enabled.
    public var versioning: String?
    public var objectLock: Bool

    public init(versioning: String?, objectLock: Bool) {
        self.versioning = versioning
        self.objectLock = objectLock
    }
}
