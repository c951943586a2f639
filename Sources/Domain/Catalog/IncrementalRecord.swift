// IncrementalRecord: what makes a snapshot incremental. It names its parent, authenticates it by the SHA-256 of
// the parent's manifest object exactly as stored (so a parent swapped for another valid snapshot is caught), and
// lists the whole chain from the full snapshot down to the parent. docs/format.md §6.5 specifies it.
import Foundation

/// How an incremental snapshot decided which blocks of a relation file to store (docs/format.md §6.5).
public enum IncrementalMethod: String, Codable, Sendable, CaseIterable {
    /// Lifeboat filtered the server's full stream: blocks whose page LSN is newer than the parent's start LSN
    /// (any PostgreSQL 15+); delta entries are `LBDELTA.<name>`.
    case pageLSN = "page-lsn"
    /// The server sent only changed blocks, found from its WAL summaries (`BASE_BACKUP ( INCREMENTAL )` after
    /// `UPLOAD_MANIFEST`, PostgreSQL 17+); delta entries are the server's own `INCREMENTAL.<name>`.
    case walSummary = "wal-summary"
}

public struct IncrementalRecord: Codable, Sendable, Equatable {
    /// The backup this one stores the changes since.
    public var parent: BackupID
    /// Hex SHA-256 of the parent's `manifest.lbx` as stored (sealed bytes).
    public var parentManifestSha256: String
    /// The full snapshot first, then every incremental down to and including `parent`.
    public var chain: [BackupID]
    public var method: IncrementalMethod
    /// The parent's `server.start_lsn`: blocks not stored are unchanged since this position.
    public var sinceLsn: String

    public init(
        parent: BackupID, parentManifestSha256: String, chain: [BackupID], method: IncrementalMethod,
        sinceLsn: String
    ) {
        self.parent = parent
        self.parentManifestSha256 = parentManifestSha256
        self.chain = chain
        self.method = method
        self.sinceLsn = sinceLsn
    }

    /// The full snapshot at the root of the chain.
    public var full: BackupID { chain.first ?? parent }
    /// Backups a restore of this one reads: the chain and the incremental itself.
    public func restoreOrder(of id: BackupID) -> [BackupID] { [id] + chain.reversed() }
}
