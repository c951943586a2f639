// ArchivalOperations: what object stores with storage classes, archive tiers, versions and Object Lock (S3)
// offer on single objects beyond the BlobStore contract. A store hands this view out as `store.archival` when
// it claims one of `StoreCapabilities.archivalOperations`; a local directory has none of it (nil).
import Foundation

public protocol ArchivalOperations: Sendable {
    /// Changes the storage class of an existing object in place (S3 CopyObject onto the same key).
    func setStorageClass(_ storageClass: String, for key: ObjectKey) throws

    /// The object's class and whether it can be read now (HEAD: x-amz-storage-class, x-amz-restore).
    func rehydration(of key: ObjectKey) throws -> Rehydration
    /// Asks for a temporary readable copy of an archived object for `days` (S3 RestoreObject). Idempotent: a
    /// request already in progress or done is not an error.
    func requestRehydration(of key: ObjectKey, days: Int, tier: RehydrationTier) throws

    /// Object Lock state of the current version; nil fields when not locked.
    func objectLock(of key: ObjectKey) throws -> ObjectLockState
    /// Extends the retain-until date of the current version (never shortens it: an earlier date is a no-op).
    func extendObjectLock(of key: ObjectKey, mode: String, until: Date) throws
    /// Sets or clears the legal hold of the current version (indefinite pins).
    func setLegalHold(_ on: Bool, for key: ObjectKey) throws
    /// Deletes every version of the key (so storage is freed on versioned buckets). A version under Object
    /// Lock or legal hold is refused by the store: throws `StoreError.objectLocked`.
    func deleteAllVersions(_ key: ObjectKey) throws
}

public enum RehydrationTier: String, Sendable, Equatable, CaseIterable, Codable {
    case expedited = "Expedited"
    case standard = "Standard"
    case bulk = "Bulk"
}

public struct Rehydration: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Readable now: not in an archive class.
        case online
        /// In an archive class with no readable copy and no restore requested.
        case archived
        /// RestoreObject requested and still running.
        case inProgress
        /// A readable copy exists until the given time.
        case restored(until: Date?)
    }
    public var storageClass: String?
    public var state: State
    public init(storageClass: String?, state: State) {
        self.storageClass = storageClass
        self.state = state
    }
    public var readable: Bool {
        switch state {
        case .online, .restored: return true
        case .archived, .inProgress: return false
        }
    }
}

public struct ObjectLockState: Sendable, Equatable {
    /// GOVERNANCE or COMPLIANCE.
    public var mode: String?
    public var retainUntil: Date?
    public var legalHold: Bool
    public init(mode: String?, retainUntil: Date?, legalHold: Bool) {
        self.mode = mode
        self.retainUntil = retainUntil
        self.legalHold = legalHold
    }
}
