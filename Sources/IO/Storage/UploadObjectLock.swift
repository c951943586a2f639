// UploadObjectLock: the Object Lock every new backup object gets at upload (S3 PutObject and
// CreateMultipartUpload headers), so a stolen key or a mistaken prune cannot delete it before `days` pass.
// The bucket must have Object Lock enabled (it can only be turned on at bucket creation).

public struct UploadObjectLock: Sendable, Equatable {
    /// "GOVERNANCE" (removable by principals with s3:BypassGovernanceRetention) or "COMPLIANCE" (nobody,
    /// not even the account root, can shorten or remove it).
    public var mode: String
    /// Retention from the time of each upload. AWS requires the resulting date to lie in the future, so at
    /// least 1.
    public var days: Int

    public init(mode: String, days: Int) {
        self.mode = mode
        self.days = days
    }
}
