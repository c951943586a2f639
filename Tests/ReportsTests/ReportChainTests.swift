// ReportChainTests: incremental snapshots in a compliance report (docs/reports.md): they count as backups of the
// snapshot type for the schedule, the renderings say how many of the completed runs were incrementals, and an
// incremental whose chain does not authenticate counts for nothing — its day is missed unless another backup
// covers it — and is named in a note.
import Catalog
import Foundation
import Reports
import XCTest

final class ReportChainTests: XCTestCase {
    /// The compliant history with every snapshot but Sunday's an incremental, and 2026-03-10's chain broken.
    static func input(brokenDay: String? = "20260310") -> ReportInput {
        var input = ReportHistory.clean.input()
        input.backups = input.backups.map { backup in
            var backup = backup
            let weekday = Calendar(identifier: .gregorian).component(.weekday, from: backup.startedAt)
            backup.incremental = backup.kind == .snapshot && weekday != 1
            if let brokenDay, backup.id.hasPrefix(brokenDay) {
                backup.chainBroken = "its parent '20260309T010000Z-snap' is not in the repository"
            }
            return backup
        }
        return input
    }

    func testIncrementalsCountAsSnapshotsAndAreShown() throws {
        let report = ReportBuilder.build(Self.input(brokenDay: nil), toolVersion: "0.9.0")
        let schedule = try XCTUnwrap(report.schedule.first)
        XCTAssertTrue(schedule.met)
        XCTAssertEqual(schedule.daysWithBackup, schedule.expectedDays)
        XCTAssertEqual(schedule.completedRuns, 61)
        XCTAssertEqual(schedule.incrementalRuns, 61 - 9, "every day but the nine Sundays of March and April")
        XCTAssertTrue(ReportRenderer.markdown(report).contains("| 61 (52 incremental) |"))
        XCTAssertTrue(ReportRenderer.html(report).contains("61 (52 incremental)"))
    }

    func testAnIncrementalWithABrokenChainCountsForNothing() throws {
        let report = ReportBuilder.build(Self.input(), toolVersion: "0.9.0")
        let schedule = try XCTUnwrap(report.schedule.first)
        XCTAssertEqual(schedule.missedDays, ["2026-03-10"])
        XCTAssertFalse(schedule.met)
        XCTAssertEqual(schedule.completedRuns, 60)
        XCTAssertEqual(schedule.unrestorable, ["20260310T010000Z-snap"])
        XCTAssertTrue(
            report.verdict.reasons.contains { $0.contains("1 incremental snapshot not counted") }, "\(report.verdict)")
        XCTAssertEqual(report.verdict.status, .notCompliant)
    }
}
