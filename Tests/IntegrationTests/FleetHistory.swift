// FleetHistory: one repository holding three clusters, written through RepositoryHistory with made-up dates
// (1–21 September 2026): "main" keeps every objective; "orders" has a six-hour WAL gap on the 10th and stops
// archiving at noon on the 20th; "analytics" is like "main" but has never run a drill. The policy asks for a
// 2h RPO, a 1h RTO and a drill every 14 days, with daily snapshots.
import Catalog
import Foundation
import XCTest

enum FleetHistory {
    static let policy = """
        name: fleet-audit
        timezone: UTC
        objectives: { rpo: 2h, rto: 60m, drill_every: 14d }
        keep:
          snapshot: { daily: 7 }
        """

    static let start = CatalogCoding.parseTimestamp("2026-09-01T00:00:00Z")!
    static let days = 20
    /// The report period and the instant the report is made.
    static let period = [
        "--since", "2026-09-01T00:00:00Z", "--until", "2026-09-21T00:00:00Z",
        "--now", "2026-09-21T00:30:00Z",
    ]

    /// An initialised workspace with the policy configured and the three clusters written.
    static func workspace(_ name: String) throws -> Workspace {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env, name: name)
        try workspace.initialize()
        try policy.write(toFile: workspace.directory + "/fleet-audit.yml", atomically: true, encoding: .utf8)
        try workspace.writeConfig(extra: "policy: fleet-audit.yml")
        try write(workspace, cluster: "main", gapDay: nil, walEndsHour: nil, drills: true)
        try write(workspace, cluster: "orders", gapDay: 10, walEndsHour: (days - 1) * 24 + 12, drills: true)
        try write(workspace, cluster: "analytics", gapDay: nil, walEndsHour: nil, drills: false)
        return workspace
    }

    /// Hourly WAL (30 s past the hour) and a snapshot every day at 01:01; drills on the 5th and the 15th.
    static func write(_ workspace: Workspace, cluster: String, gapDay: Int?, walEndsHour: Int?, drills: Bool) throws {
        let history = try RepositoryHistory(
            configPath: workspace.configPath, repositoryRoot: workspace.repository,
            cluster: cluster)
        var snapshots: [Int: BackupID] = [:]
        for hour in 0..<(days * 24) {
            let at = start.addingTimeInterval(Double(hour) * 3600)
            let day = hour / 24 + 1
            if let gapDay, day == gapDay, (10..<16).contains(hour % 24) {
                if hour % 24 == 10 { history.skipSegments(6) }
                continue
            }
            if walEndsHour.map({ hour <= $0 }) ?? true { try history.archiveSegment(at: at.addingTimeInterval(30)) }
            if hour % 24 == 1 { snapshots[day] = try history.snapshot(at: at.addingTimeInterval(60)) }
        }
        guard drills else { return }
        for day in [5, 15] {
            let at = start.addingTimeInterval(Double(day - 1) * 86_400 + 12 * 3600)
            try history.drill(
                "weekly-full", at: at, backup: try XCTUnwrap(snapshots[day]), rto: 1200, rpo: 300,
                verdict: .passed, reasons: ["every check passed"])
        }
    }
}
