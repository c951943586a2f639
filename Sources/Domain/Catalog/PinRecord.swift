// PinRecord: a pin set or cleared after a backup was taken (`lifeboat pin ID [--until DATE]`, `lifeboat unpin
// ID`). Manifests are written once and never rewritten, so later pins live beside them in
// `backups/<cluster>/<id>/pin.lbx` (sealed like the manifest). When the record exists it replaces the
// manifest's own `pinned`/`keep_until` (set by `backup --pin/--keep-until`); it goes when the backup goes.
import Foundation

public struct PinRecord: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var backup: BackupID
    public var cluster: String
    /// Kept until unpinned.
    public var pinned: Bool
    /// Kept until this time (ignored when `pinned`).
    public var keepUntil: Date?
    public var changedAt: Date
    /// user@host that changed it, for the audit trail.
    public var changedBy: String

    public init(backup: BackupID, cluster: String, pinned: Bool, keepUntil: Date?, changedAt: Date, changedBy: String) {
        self.formatVersion = Self.currentFormatVersion
        self.backup = backup
        self.cluster = cluster
        self.pinned = pinned
        self.keepUntil = keepUntil
        self.changedAt = changedAt
        self.changedBy = changedBy
    }
}

/// The pin that counts for a backup: its pin record when there is one, else its manifest's.
public struct EffectivePin: Sendable, Equatable {
    public var pinned: Bool
    public var keepUntil: Date?

    public init(manifest: BackupManifest, record: PinRecord?) {
        if let record {
            pinned = record.pinned
            keepUntil = record.pinned ? nil : record.keepUntil
        } else {
            pinned = manifest.pinned
            keepUntil = manifest.keepUntil
        }
    }
}
