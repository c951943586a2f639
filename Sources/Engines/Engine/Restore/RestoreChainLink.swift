// RestoreChainLink: one backup of the chain a snapshot restore reads, as its plan shows it (`chain` in
// `restore --data-dir --dry-run --json`, docs/json.md), newest first; and RestoredChainLink, what the restore
// then read from it and wrote (`chain` in the result).
import Catalog
import Foundation

public struct RestoreChainLink: Codable, Sendable, Equatable {
    public var backup: String
    /// "full" or "incremental".
    public var type: String
    /// How an incremental stored its changes ("page-lsn", "wal-summary"); absent for the full.
    public var method: String?
    public var finishedAt: Date
    /// The stored (sealed) bytes of its objects a restore may read: the data directory's and each tablespace's
    /// that the restore needs. What it reads is at most this: an older backup's objects are skipped once
    /// nothing more is needed from them.
    public var storedBytes: Int64

    init(_ manifest: BackupManifest, objects: [String]) {
        backup = manifest.id.rawValue
        type = manifest.isIncremental ? "incremental" : "full"
        method = manifest.incremental?.method.rawValue
        finishedAt = manifest.finishedAt
        storedBytes = objects.compactMap { manifest.object(named: $0)?.storedSize }.reduce(0, +)
    }
}

public struct RestoredChainLink: Codable, Sendable, Equatable {
    public var backup: String
    /// Stored (sealed) bytes read from the repository: each object read is read once, whole.
    public var bytesRead: Int64 = 0
    /// Bytes written into the target directories: whole files and the blocks taken from this backup.
    public var bytesWritten: Int64 = 0
    /// Files written from this backup: all of the newest's; for an older one, the incomplete files it held
    /// (whether or not any of their blocks was still missing from it).
    public var files = 0
}
