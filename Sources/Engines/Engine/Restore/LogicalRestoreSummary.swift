// LogicalRestoreSummary: a logical restore's plan as the operator sees it and as `--dry-run --json` prints it
// (docs/json.md); the `plan` field of the result.
import Foundation

public struct LogicalRestoreSummary: Codable, Sendable {
    public var backup: String
    public var backupFinishedAt: Date
    public var database: String
    public var target: String
    public var targetDatabase: String
    public var createDatabase: Bool
    public var clean: Bool
    public var jobs: Int
    public var mode: String
    public var restoreGlobals: Bool
    /// `apply` (the backup's recorded database settings, comment and privileges), `skip`
    /// (--no-database-settings) or `not-recorded` (a backup made before lifeboat recorded them).
    public var databaseSettings: String
    public var objectBytes: Int64
    public var dumpBytes: Int64
    public var tables: Int
    public var rows: Int64
    public var steps: [String]
}
