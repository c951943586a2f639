// LogicalRestoreResult: what a logical restore did (`restore --json`, docs/json.md).
public struct LogicalRestoreResult: Codable, Sendable {
    public var plan: LogicalRestoreSummary
    public var seconds: Double
    public var tablesChecked: Int
    public var rowsChecked: Int64
    /// Recorded database properties left out because their role does not exist on the target.
    public var databaseSettingsSkipped: [String]
}
