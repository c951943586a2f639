// PhysicalRestoreSummary: a snapshot restore's plan as the operator sees it and as `--dry-run --json` prints it
// (docs/json.md); the `plan` field of the result.
import Catalog
import Foundation

public struct PhysicalRestoreSummary: Codable, Sendable {
    public var backup: String
    public var backupFinishedAt: Date
    public var timeline: Int
    public var startLsn: String
    public var stopLsn: String
    public var walFrom: String
    public var walConsistentAt: String
    public var target: String
    public var targetAction: String?
    public var dataDirectory: String
    public var clean: Bool
    public var osUser: String?
    public var restoreCommand: String
    public var startCommand: [String]
    /// Each user tablespace and its directory; absent when the snapshot has none.
    public var tablespaces: [TablespaceTarget]?
    /// The backups read, newest first, when the snapshot is incremental; absent for a full snapshot.
    public var chain: [RestoreChainLink]?
    public var steps: [String]
}
