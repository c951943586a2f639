// LogicalRestoreResult: what a logical restore did (`restore --json`, docs/json.md).
public struct LogicalRestoreResult: Codable, Sendable {
    public var plan: LogicalRestoreSummary
    public var seconds: Double
    public var tablesChecked: Int
    public var rowsChecked: Int64
}
