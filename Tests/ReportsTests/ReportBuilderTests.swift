// ReportBuilderTests: the numbers and the verdict of a constructed two-month history, its compliant and
// no-policy variants, drill cadence, days still in progress, and the JSON shape.
import Catalog
import Drills
import Foundation
import Policy
import Reports
import XCTest

final class ReportBuilderTests: XCTestCase {
    private func text(_ day: DayCount) -> String {
        "\(day.day) \(day.backups)/\(day.failed)"
    }

    private func build(_ history: ReportHistory) -> ComplianceReport {
        ReportBuilder.build(history.input(), toolVersion: "0.9.0")
    }

    func testScheduleCountsBerlinDaysMissedAndFailed() throws {
        let report = build(ReportHistory())
        XCTAssertEqual(report.schedule.count, 1)
        let schedule = try XCTUnwrap(report.schedule.first)
        XCTAssertEqual(schedule.kind, .snapshot)
        XCTAssertEqual(schedule.expectedDays, 61)
        XCTAssertEqual(schedule.daysWithBackup, 58)
        XCTAssertEqual(schedule.missedDays, ["2026-03-04", "2026-03-17", "2026-04-27"])
        XCTAssertEqual(schedule.completedRuns, 58)
        XCTAssertEqual(schedule.failedRuns, 3)
        XCTAssertEqual(try XCTUnwrap(schedule.successRate), 58.0 / 61.0, accuracy: 1e-9)
        XCTAssertEqual(schedule.perDay.count, 61)
        XCTAssertEqual(schedule.perDay.first.map(text), "2026-03-01 1/0")
        XCTAssertEqual(schedule.perDay.first { $0.day == "2026-03-20" }.map(text), "2026-03-20 1/1")
        XCTAssertEqual(schedule.perDay.last?.day, "2026-04-30")
        XCTAssertFalse(schedule.met)
    }

    func testCoverageFindsBothGapsAndTheWorstExposure() {
        let coverage = build(ReportHistory()).coverage
        let at = ReportHistory.at
        XCTAssertEqual(coverage.worstExposureSeconds, 7200)
        XCTAssertEqual(coverage.worstExposureFrom, at("2026-03-10T02:00:00Z"))
        XCTAssertEqual(coverage.worstExposureTo, at("2026-03-10T04:00:00Z"))
        XCTAssertEqual(
            coverage.exposuresOverObjective.map { [$0.from, $0.to] },
            [
                [at("2026-03-10T02:00:00Z"), at("2026-03-10T04:00:00Z")],
                [at("2026-04-12T10:00:00Z"), at("2026-04-12T10:30:00Z")],
            ])
        XCTAssertEqual(coverage.exposuresOverObjective.map(\.seconds), [7200, 1800])
        XCTAssertEqual(coverage.walGaps.map(\.from), [at("2026-03-10T02:00:00Z"), at("2026-04-12T10:00:00Z")])
        // 61 Berlin days of 288 points, one of them (29 March, DST) 12 points short, less 23 inside the 2 h gap
        // and 5 inside the 30 min gap.
        XCTAssertEqual(coverage.points, 61 * 288 - 12 - 23 - 5)
        XCTAssertFalse(coverage.met)
    }

    func testDrillsRetentionEncryptionImmutability() {
        let report = build(ReportHistory())
        XCTAssertEqual(
            report.drills.runs.map(\.id),
            ["20260312T030000Z-d10000", "20260319T030000Z-d20000", "20260420T030000Z-d30000"])
        XCTAssertEqual(report.drills.passed, 1)
        XCTAssertEqual(report.drills.failed, 2)
        XCTAssertEqual(report.drills.lastPassed, ReportHistory.at("2026-03-19T03:00:00Z"))
        XCTAssertEqual(report.drills.cadenceMet, true)
        XCTAssertFalse(report.drills.met)
        XCTAssertEqual(report.drills.runs[0].rtoObjectiveSeconds, 3600)
        XCTAssertEqual(report.drills.runs[0].rpoMethod, "heartbeat")

        XCTAssertEqual(
            report.retention.required.map { "\($0.rule) \($0.bucket) \($0.backup ?? "-")" },
            [
                "daily 2026-04-30 20260430T010000Z-snap", "daily 2026-04-29 20260429T010000Z-snap",
                "daily 2026-04-28 20260428T010000Z-snap", "daily 2026-04-27 -",
                "daily 2026-04-26 20260426T010000Z-snap",
                "daily 2026-04-25 20260425T010000Z-snap", "daily 2026-04-24 20260424T010000Z-snap",
                "monthly 2026-04 20260430T010000Z-snap", "monthly 2026-03 20260331T010000Z-snap",
                "monthly 2026-02 20260228T010000Z-snap", "monthly 2026-01 20260131T010000Z-snap",
            ])
        XCTAssertEqual(report.retention.missing, 1)

        let encryption = report.encryption
        XCTAssertEqual([encryption.backups, encryption.objects, encryption.sealedObjects], [59, 293, 292])
        XCTAssertEqual(encryption.algorithms, ["aes-256-gcm-stream-v1"])
        XCTAssertEqual(encryption.keyIds, ["key-a", "key-b"])
        XCTAssertFalse(encryption.met)
        let immutability = report.immutability
        XCTAssertEqual([immutability.required, immutability.available, immutability.met], [true, true, false])
        XCTAssertEqual([immutability.lockedBackups, immutability.backups], [58, 59])
        XCTAssertEqual(immutability.mode, "GOVERNANCE")
        XCTAssertEqual(
            report.objectives, ReportObjectives(rpoSeconds: 900, rtoSeconds: 3600, drillEverySeconds: 182 * 86_400))
    }

    func testVerdictReasonsAreExactSentences() {
        let report = build(ReportHistory())
        XCTAssertFalse(report.verdict.compliant)
        XCTAssertEqual(
            report.verdict.reasons,
            [
                "3 days without a snapshot backup (of 61): 2026-03-04, 2026-03-17, 2026-04-27",
                "worst RPO exposure 2h (objective 15m) from 2026-03-10 02:00 UTC to 2026-03-10 04:00 UTC; 2 stretches over the objective",
                "drill 'semiannual-full' run 20260420T030000Z-d30000 on 2026-04-20 03:00 UTC error: restore failed: connection refused (newest run of this drill)",
                "1 required retention slot without a backup at 2026-04-30 22:00 UTC: daily 2026-04-27 (snapshot)",
                "1 of 293 objects of 59 backups are not sealed",
                "1 of 59 backups in the period have no Object Lock",
                "3 failed snapshot runs in the period (success rate 95.1%)",
                "WAL gap on timeline 1: 00000001000000000000000A–00000001000000000000000F (6 segments) from 2026-03-10 02:00 UTC to 2026-03-10 04:00 UTC",
                "WAL gap on timeline 1: 00000001000000000000001A–00000001000000000000001F (6 segments) from 2026-04-12 10:00 UTC to 2026-04-12 10:30 UTC",
                "drill 'weekly-logical' run 20260312T030000Z-d10000 on 2026-03-12 03:00 UTC failed: check 'orders' failed: expected 't', got 'f' (a later run passed)",
            ])
    }

    func testCompliantHistory() {
        let report = build(.clean)
        XCTAssertTrue(report.verdict.compliant, report.verdict.reasons.joined(separator: "\n"))
        XCTAssertEqual(report.verdict.reasons, [])
        XCTAssertEqual(report.schedule.first?.missedDays, [])
        XCTAssertEqual(report.coverage.worstExposureSeconds, 300)
        XCTAssertEqual(report.retention.missing, 0)
        XCTAssertEqual(report.drills.passed, 3 - 1)
    }

    func testWithoutPolicyOnlyWhatNeedsNoObjectiveIsJudged() {
        var history = ReportHistory.clean
        history.policy = nil
        let report = build(history)
        XCTAssertNil(report.policy)
        XCTAssertEqual(report.objectives, ReportObjectives(rpoSeconds: nil, rtoSeconds: nil, drillEverySeconds: nil))
        XCTAssertEqual(report.schedule, [])
        XCTAssertEqual(report.retention.required, [])
        XCTAssertTrue(report.retention.met)
        XCTAssertNil(report.drills.cadenceMet)
        XCTAssertTrue(report.coverage.met)
        XCTAssertEqual(report.coverage.exposuresOverObjective, [])
        XCTAssertFalse(report.immutability.required)
        XCTAssertTrue(report.verdict.compliant)
        XCTAssertEqual(
            report.verdict.reasons,
            [
                "no policy configured: objectives, schedule and retention not judged",
                "no RPO objective: coverage judged only on having recovery points",
                "no drill_every objective: drill cadence not judged",
            ])
    }

    func testCadenceReportsTheStretchWithoutAPassedDrill() {
        var history = ReportHistory.clean
        history.policy?.objectives.drillEvery = 30 * 86_400
        let report = build(history)
        XCTAssertEqual(report.drills.cadenceMet, false)
        XCTAssertFalse(report.verdict.compliant)
        // Passed drills: 2025-12-01 (covers nothing of the period), 2026-03-19 (covers to 04-18), 2026-04-20
        // (covers past `until`).
        let last = " (last passed: 'semiannual-full' 2026-04-20 03:00 UTC)"
        XCTAssertEqual(
            report.verdict.reasons,
            [
                "drill cadence 30d not met: no passed drill from 2026-02-28 23:00 UTC to 2026-03-19 03:00 UTC" + last,
                "drill cadence 30d not met: no passed drill from 2026-04-18 03:00 UTC to 2026-04-20 03:00 UTC" + last,
            ])
    }

    func testDayInProgressIsShownButNotJudged() throws {
        var history = ReportHistory.clean
        history.missedDays = ["2026-04-30"]
        var input = history.input()
        input.until = ReportHistory.at("2026-04-30T00:30:00Z")
        input.now = input.until
        let schedule = try XCTUnwrap(ReportBuilder.build(input, toolVersion: "0.9.0").schedule.first)
        XCTAssertEqual(schedule.perDay.last.map(text), "2026-04-30 0/0")
        XCTAssertEqual(schedule.expectedDays, 60)
        XCTAssertEqual(schedule.missedDays, [])
    }

    func testNoRecoveryPointIsAFinding() {
        var input = ReportHistory.clean.input()
        input.recoverablePoints = []
        input.backups = input.backups.filter { $0.startedAt < input.since }
        let report = ReportBuilder.build(input, toolVersion: "0.9.0")
        XCTAssertEqual(report.coverage.points, 0)
        XCTAssertEqual(report.coverage.worstExposureSeconds, input.until.timeIntervalSince(input.since))
        XCTAssertFalse(report.coverage.met)
        XCTAssertTrue(report.verdict.reasons.contains("no recovery point in the period"))
    }

    func testJSONRoundTripWithSnakeCaseKeys() throws {
        let report = build(ReportHistory())
        let data = try CatalogCoding.encoder().encode(report)
        let decoded = try CatalogCoding.decoder().decode(ComplianceReport.self, from: data)
        XCTAssertEqual(decoded, report)
        let text = String(decoding: data, as: UTF8.self)
        for key in [
            "\"format_version\":1", "\"worst_exposure_seconds\":7200", "\"drill_every_seconds\":15724800",
            "\"exposures_over_objective\"", "\"wal_gaps\"", "\"key_ids\"", "\"rpo_objective_seconds\"",
            "\"success_rate\"", "\"missed_days\"", "\"sealed_objects\"", "\"locked_backups\"", "\"cadence_met\":true",
        ] {
            XCTAssertTrue(text.contains(key), key)
        }
    }
}
