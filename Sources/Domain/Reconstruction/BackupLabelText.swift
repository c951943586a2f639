// BackupLabelText: the backup_label of a restored chain is the newest backup's, without the lines
// `INCREMENTAL FROM LSN:` and `INCREMENTAL FROM TLI:` that PostgreSQL 17+ writes into an incremental's label: a
// server refuses to start a data directory whose label still has them (docs/format.md §6.5).
public enum BackupLabelText {
    static let incrementalPrefixes = ["INCREMENTAL FROM LSN:", "INCREMENTAL FROM TLI:"]

    public static func removingIncrementalLines(_ label: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(label.count)
        var start = 0
        while start < label.count {
            let end = label[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? label.count
            let line = label[start..<end]
            let text = String(decoding: line, as: UTF8.self)
            if !incrementalPrefixes.contains(where: text.hasPrefix) { result += line }
            start = end
        }
        return result
    }
}
