// TieringRule+StorageClasses: the S3 storage classes a tiering rule may name, warmest first. Policy files are
// checked against this list and the planner compares classes by their place in it.

extension TieringRule {
    /// The classes a rule may move data to, from warmest (most expensive to keep, cheapest to read) to coldest.
    /// The planner moves objects only towards the end of this list.
    public static let storageClassOrder = [
        "STANDARD", "INTELLIGENT_TIERING", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE",
    ]
}
