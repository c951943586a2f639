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
    public var objectBytes: Int64
    public var dumpBytes: Int64
    public var tables: Int
    public var rows: Int64
    public var steps: [String]
}
