// PlanText: the plain-text form of a RetentionPlan that `prune --dry-run` prints and golden files pin down.
// Deterministic: UTC times, fixed column order, widths from the content, no locale-dependent formatting.
import Foundation

public enum PlanText {
    public static func render(_ plan: RetentionPlan) -> String {
        var lines = [
            "retention plan for cluster '\(plan.cluster)', policy '\(plan.policy)', at \(timestamp(plan.now))", "",
        ]
        lines.append("backups:")
        lines +=
            plan.backups.isEmpty
            ? ["  (none)"]
            : table(
                header: ["ID", "TYPE", "STARTED (UTC)", "ACTION", "CLASS", "REASONS"],
                rows: plan.backups.map(backupRow))
        lines += chains(plan.backups)
        lines.append("")
        lines.append("wal:")
        lines +=
            plan.wal.isEmpty
            ? ["  (none)"]
            : table(
                header: ["TIMELINE", "FIRST", "LAST", "FILES", "ACTION", "REASON"],
                rows: plan.wal.map(walRow))
        lines.append("")
        lines.append(summary(plan))
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 3339 in UTC with seconds: "2027-01-01T00:00:00Z".
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    // MARK: - rows

    private static func backupRow(_ decision: BackupDecision) -> [String] {
        let started = String(timestamp(decision.startedAt).dropLast()).replacingOccurrences(of: "T", with: " ")
        var storage = decision.storageClass ?? "-"
        if let target = decision.transitionTo { storage += "→" + target }
        return [
            decision.id, decision.parent == nil ? decision.kind.rawValue : "incremental", started,
            decision.action.rawValue, storage,
            decision.reasons.joined(separator: "; "),
        ]
    }

    /// Each chain of incrementals, the full first, as a restore of its newest backup reads it: one line per
    /// incremental that is no other's parent, with each backup's action.
    private static func chains(_ backups: [BackupDecision]) -> [String] {
        let byID = Dictionary(backups.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let parents = Set(backups.compactMap(\.parent))
        let newest = backups.filter { $0.parent != nil && !parents.contains($0.id) }
        guard !newest.isEmpty else { return [] }
        var lines = ["", "chains (full first; restoring an incremental reads every backup to its left):"]
        for leaf in newest {
            var links: [String] = []
            var current: String? = leaf.id
            var seen: Set<String> = []
            while let id = current, !seen.contains(id) {
                seen.insert(id)
                links.insert(byID[id].map { "\(id) (\($0.action.rawValue))" } ?? "\(id) (missing)", at: 0)
                current = byID[id]?.parent
            }
            lines.append("  " + links.joined(separator: " → "))
        }
        return lines
    }

    private static func walRow(_ range: WALDecision) -> [String] {
        [String(range.timeline), range.first, range.last, String(range.files), range.action.rawValue, range.reason]
    }

    private static func summary(_ plan: RetentionPlan) -> String {
        let kept = plan.backups.filter { $0.action == .keep }.count
        let expired = plan.expiredBackups
        let backupBytes = expired.reduce(Int64(0)) { $0 + $1.storedBytes }
        let walKept = plan.wal.filter { $0.action == .keep }.reduce(0) { $0 + $1.files }
        let walExpired = plan.wal.filter { $0.action == .expire }
        let walBytes = walExpired.reduce(Int64(0)) { $0 + $1.bytes }
        return "summary: backups \(kept) keep, \(plan.transitions.count) transition, \(expired.count) expire; "
            + "wal \(walKept) files keep, \(walExpired.reduce(0) { $0 + $1.files }) expire; "
            + "\(backupBytes + walBytes) bytes to free (backups \(backupBytes), wal \(walBytes))"
    }

    /// Left-aligned columns two spaces apart; the last column is not padded (no trailing blanks).
    private static func table(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            return "  " + cells.joined(separator: "  ")
        }
    }
}
