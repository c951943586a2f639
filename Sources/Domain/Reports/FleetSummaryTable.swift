// FleetSummaryTable: the fleet report's two summary tables as plain text cells — one row per cluster with its
// verdict and evidence, and one with its verdict per objective — so the Markdown and the HTML show the same
// words. Cells are not escaped here; each renderer escapes them its own way.
import Catalog
import Foundation

struct FleetSummaryTable {
    let report: FleetReport

    static let header = [
        "Cluster", "Verdict", "Newest recovery point", "Worst RPO exposure", "Last logical",
        "Last snapshot", "Last drill",
    ]

    /// The objectives as columns, in the order the single report lists them.
    static let objectives = ["rpo", "rto", "drill_cadence", "schedule", "retention", "encryption", "immutability"]

    static var objectiveHeader: [String] { ["Cluster"] + objectives.map(ReportSummaries.objectiveName) }

    var rows: [[String]] {
        report.clusters.map { row in
            [
                row.cluster, ReportSummaries.verdict(row.verdict),
                row.newestRecoverablePoint.map(ReportText.time) ?? "none",
                ReportSummaries.against(row.worstExposureSeconds, row.rpoObjectiveSeconds),
                lastBackup(row, .logical), lastBackup(row, .snapshot), lastDrill(row),
            ]
        }
    }

    var objectiveRows: [[String]] {
        report.clusters.map { row in
            [row.cluster] + Self.objectives.map { row.status(of: $0).map(ReportSummaries.status) ?? "—" }
        }
    }

    /// Which cells say something is wrong: a verdict other than compliant, an objective not met.
    func isBad(row: Int, column: Int) -> Bool {
        column == 1 && report.clusters[row].verdict == .notCompliant
            || column == 6 && (report.clusters[row].lastDrill.map { $0.verdict != .passed } ?? false)
    }

    func isBadObjective(row: Int, column: Int) -> Bool {
        column > 0 && report.clusters[row].status(of: Self.objectives[column - 1]) == .notMet
    }

    /// "2026-03-10 02:00 UTC" or "—" without a backup of that type.
    private func lastBackup(_ row: FleetClusterSummary, _ kind: BackupKind) -> String {
        row.lastBackups.first { $0.kind == kind }.map { ReportText.time($0.finishedAt) } ?? "—"
    }

    /// "monthly-full, 2026-03-10 02:00 UTC: passed", or "never".
    private func lastDrill(_ row: FleetClusterSummary) -> String {
        row.lastDrill.map { "\($0.drill), \(ReportText.time($0.at)): \($0.verdict.rawValue)" } ?? "never"
    }

    /// "3 clusters: 1 compliant, 1 not compliant, 1 insufficient history".
    var counts: String {
        let verdicts = report.clusters.map(\.verdict)
        let parts = [OverallVerdict.compliant, .notCompliant, .insufficientHistory].compactMap { verdict -> String? in
            let count = verdicts.filter { $0 == verdict }.count
            return count == 0 ? nil : "\(count) \(ReportSummaries.verdict(verdict).lowercased())"
        }
        return ReportText.count(verdicts.count, "cluster") + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }
}
