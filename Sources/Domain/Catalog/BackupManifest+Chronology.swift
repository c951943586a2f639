// The order of backups in time. A backup id carries its start only to the second (and a random suffix), so two
// backups of the same second — a quick incremental after a full, a scripted run — would order at random by id.
// `started_at` has milliseconds: it decides within a second, and the id only breaks exact ties.
import Foundation

extension BackupManifest {
    /// True when `lhs` started before `rhs`: by start second (the id's), then `started_at`, then id.
    public static func chronologically(_ lhs: BackupManifest, _ rhs: BackupManifest) -> Bool {
        if lhs.id.second != rhs.id.second { return lhs.id.second < rhs.id.second }
        if lhs.startedAt != rhs.startedAt { return lhs.startedAt < rhs.startedAt }
        return lhs.id < rhs.id
    }
}
