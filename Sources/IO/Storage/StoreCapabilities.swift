// StoreCapabilities: what a store can do beyond the core BlobStore contract, so callers ask the store instead of
// asking "is this an S3 store?" (a question no decorator and no test double can answer). Each capability names
// the optional operations it enables; the conformance suite checks that a store's claims match what it does.
public struct StoreCapabilities: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `createExclusive` is an atomic create-if-absent (locks, WAL records and the system record rely on it).
    /// An S3-compatible server that ignores If-None-Match makes the claim false; `ExclusiveCreateProbe` finds out.
    public static let exclusiveCreate = StoreCapabilities(rawValue: 1 << 0)
    /// Objects carry a storage class (`BlobInfo.storageClass`) that `archival.setStorageClass` changes in
    /// place: what tiering needs.
    public static let storageClasses = StoreCapabilities(rawValue: 1 << 1)
    /// Objects in an archive class must be rehydrated before they can be read (`archival.rehydration`,
    /// `archival.requestRehydration`).
    public static let rehydration = StoreCapabilities(rawValue: 1 << 2)
    /// Per-object retention and legal holds (`archival.objectLock`, `extendObjectLock`, `setLegalHold`) and, on
    /// the bucket, whether Object Lock is enabled and a store that uploads under it (`bucket.withUploadLock`).
    public static let objectLock = StoreCapabilities(rawValue: 1 << 3)
    /// The store may keep earlier versions of an object, so a plain delete can leave bytes stored:
    /// `archival.deleteAllVersions` frees them and `bucket.status()` reports the versioning state.
    public static let versioning = StoreCapabilities(rawValue: 1 << 4)
    /// An interrupted upload can leave parts on the server (stored and billed) that `bucket.incompleteUploads`
    /// lists and `bucket.abort` removes.
    public static let incompleteUploads = StoreCapabilities(rawValue: 1 << 5)

    /// The capabilities served by `BlobStore.archival`: a store claiming any of them has that view.
    public static let archivalOperations: StoreCapabilities = [.storageClasses, .rehydration, .objectLock, .versioning]
    /// The capabilities served by `BlobStore.bucket`: a store claiming any of them has that view.
    public static let bucketOperations: StoreCapabilities = [.objectLock, .versioning, .incompleteUploads]

    static let names: [(StoreCapabilities, String)] = [
        (.exclusiveCreate, "exclusive create"), (.storageClasses, "storage classes"), (.rehydration, "rehydration"),
        (.objectLock, "object lock"), (.versioning, "versioning"), (.incompleteUploads, "incomplete uploads"),
    ]

    /// "exclusive create, storage classes", or "none".
    public var description: String {
        let present = Self.names.filter { contains($0.0) }.map(\.1)
        return present.isEmpty ? "none" : present.joined(separator: ", ")
    }
}
