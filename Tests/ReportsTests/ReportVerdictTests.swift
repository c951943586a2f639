// ReportVerdictTests: "insufficient history" against "not compliant". The period before the repository existed
// is not covered — no exposure, no missed drill, no missed day — and an objective whose window the covered part
// cannot fill is not judged yet; a violation inside the covered part still makes the report non-compliant.
import Catalog
import Drills
import Foundation
import Policy
import Reports
import XCTest

final class ReportVerdictTests: XCTestCase {
    static let created = ReportHistory.at("2026-12-07T00:10:00Z")
    static let now = ReportHistory.at("2026-12-07T00:40:00Z")
    static let development = RetentionPolicy(
        name: "development", sourcePath: "policies/development.yml", timeZone: TimeZone(identifier: "UTC")!,
        objectives: Objectives(rpo: 3600, rto: 7200, drillEvery: 30 * 86_400),
        keep: [.snapshot: KeepRules(daily: 7, monthly: 12)])

    /// The quickstart: a repository created today, one snapshot, WAL every minute since, one passed drill.
    static func freshInput(drill: Bool = true) -> ReportInput {
        let backupAt = Self.created.addingTimeInterval(300)
        let backup = ReportBackup(
            id: "20261207T001500Z-snap", kind: .snapshot, startedAt: backupAt,
            finishedAt: backupAt.addingTimeInterval(60),
            storedBytes: 1 << 20, encryption: "aes-256-gcm-stream-v1", keyId: "key-a", objects: 3, sealedObjects: 3)
        let points = stride(from: 0.0, to: Self.now.timeIntervalSince(backupAt), by: 60).map {
            backupAt.addingTimeInterval($0)
        }
        let drills =
            drill
            ? [
                ReportHistory.drill(
                    "nightly-smoke", "20261207T003000Z-d00001", ReportHistory.at("2026-12-07T00:30:00Z"), .passed)
            ] : []
        return ReportInput(
            cluster: "main", repository: "/var/lib/lifeboat", policy: Self.development,
            since: Self.now.addingTimeInterval(-30 * 86_400), until: Self.now, now: Self.now,
            backups: [backup], failedRuns: [], recoverablePoints: points, walGaps: [], drills: drills,
            objectLockAvailable: false, repositoryCreated: Self.created)
    }

    private func status(_ report: ComplianceReport, _ objective: String) -> ObjectiveStatus? {
        report.verdict.objectives.first { $0.objective == objective }?.status
    }

    func testANewRepositoryHasInsufficientHistoryNotAViolation() {
        let report = ReportBuilder.build(Self.freshInput(), toolVersion: "0.9.0")
        XCTAssertEqual(report.verdict.status, .insufficientHistory, report.verdict.reasons.joined(separator: "\n"))
        XCTAssertFalse(report.verdict.compliant)
        XCTAssertEqual(report.coveredFrom, Self.created)
        XCTAssertEqual(report.historyStart, Self.created)
        // 5 minutes from creation to the first backup is the worst stretch; the 30 days before do not count.
        XCTAssertEqual(report.coverage.worstExposureSeconds, 300)
        XCTAssertTrue(report.coverage.met)
        XCTAssertEqual(status(report, "rpo"), .insufficientHistory, "30 minutes of history cannot show a 1h RPO held")
        XCTAssertEqual(status(report, "rto"), .met)
        XCTAssertEqual(status(report, "drill_cadence"), .met, "a drill passed: the cadence is kept so far")
        XCTAssertEqual(status(report, "schedule"), .insufficientHistory, "no day of the repository's life is over yet")
        XCTAssertEqual(status(report, "retention"), .insufficientHistory)
        XCTAssertEqual(status(report, "encryption"), .met)
        XCTAssertEqual(status(report, "immutability"), .notJudged)
        XCTAssertEqual(report.schedule.first?.missedDays, [])
        let reasons = report.verdict.reasons.joined(separator: "\n")
        XCTAssertFalse(reasons.contains("worst RPO exposure"), reasons)
        XCTAssertFalse(reasons.contains("drill cadence"), reasons)
        XCTAssertEqual(
            report.verdict.reasons.first,
            "not covered: 2026-11-07 00:40 UTC – 2026-12-07 00:10 UTC, before the repository existed "
                + "(the repository's history begins 2026-12-07 00:10 UTC); not counted as exposure or as a missed drill"
        )
        XCTAssertTrue(reasons.contains("RPO 1h: insufficient history to judge"), reasons)
    }

    func testDrillCadenceCannotBeJudgedBeforeItsWindowUnlessADrillPassed() {
        var input = Self.freshInput(drill: false)
        input.now = Self.created.addingTimeInterval(10 * 86_400)
        input.until = input.now
        let report = ReportBuilder.build(input, toolVersion: "0.9.0")
        XCTAssertEqual(
            status(report, "drill_cadence"), .insufficientHistory, "10 days of a 30-day cadence, no drill yet")
        XCTAssertEqual(status(report, "rto"), .insufficientHistory, "no drill has measured the RTO")
        XCTAssertNil(report.drills.cadenceMet)

        // Past its first window without a passed drill, the cadence is violated from the end of the grace on.
        input.now = Self.created.addingTimeInterval(40 * 86_400)
        input.until = input.now
        input.since = input.now.addingTimeInterval(-30 * 86_400)
        let late = ReportBuilder.build(input, toolVersion: "0.9.0")
        XCTAssertEqual(status(late, "drill_cadence"), .notMet)
        XCTAssertEqual(late.verdict.status, .notCompliant)
        XCTAssertTrue(
            late.verdict.reasons.contains {
                $0.hasPrefix("drill cadence 30d not met: no passed drill from 2027-01-06 00:10 UTC")
            },
            late.verdict.reasons.joined(separator: "\n"))
    }

    func testAViolationInTheCoveredPartIsNotCompliantEvenWhenYoung() {
        var input = Self.freshInput()
        input.now = Self.created.addingTimeInterval(5 * 3600)
        input.until = input.now
        // WAL stops after the first half hour: 4.5 hours without a recovery point against a 1h RPO.
        input.recoverablePoints = input.recoverablePoints.filter { $0 < Self.created.addingTimeInterval(1800) }
        let report = ReportBuilder.build(input, toolVersion: "0.9.0")
        XCTAssertEqual(status(report, "rpo"), .notMet)
        XCTAssertEqual(report.verdict.status, .notCompliant)
        XCTAssertFalse(report.coverage.met)
    }

    func testAPeriodEntirelyBeforeTheRepositoryJudgesNothing() {
        var input = Self.freshInput()
        input.until = Self.created.addingTimeInterval(-86_400)
        input.since = input.until.addingTimeInterval(-30 * 86_400)
        let report = ReportBuilder.build(input, toolVersion: "0.9.0")
        XCTAssertEqual(report.verdict.status, .insufficientHistory, report.verdict.reasons.joined(separator: "\n"))
        XCTAssertEqual(report.coverage.points, 0)
        XCTAssertFalse(report.verdict.reasons.contains("no recovery point in the period"))
    }

    func testAnEstablishedHistoryIsJudgedAsBefore() {
        let report = ReportBuilder.build(ReportHistory.clean.input(), toolVersion: "0.9.0")
        XCTAssertEqual(report.verdict.status, .compliant)
        XCTAssertEqual(
            report.verdict.objectives.map(\.objective),
            ["rpo", "rto", "drill_cadence", "schedule", "retention", "encryption", "immutability"])
        XCTAssertTrue(report.verdict.objectives.allSatisfy { $0.status == .met }, "\(report.verdict.objectives)")
        XCTAssertEqual(ReportBuilder.build(ReportHistory().input(), toolVersion: "0.9.0").verdict.status, .notCompliant)
    }

    func testJSONCarriesPerObjectiveVerdicts() throws {
        let report = ReportBuilder.build(Self.freshInput(), toolVersion: "0.9.0")
        let text = String(decoding: try CatalogCoding.encoder().encode(report), as: UTF8.self)
        for key in [
            "\"status\":\"insufficient_history\"", "\"covered_from\":\"2026-12-07T00:10:00.000Z\"",
            "\"objective\":\"drill_cadence\"",
            "\"history_start\":\"2026-12-07T00:10:00.000Z\"", "\"status\":\"not_judged\"",
        ] {
            XCTAssertTrue(text.contains(key), key + " in " + text)
        }
        let markdown = ReportRenderer.markdown(report)
        XCTAssertTrue(markdown.contains("**Verdict: INSUFFICIENT HISTORY**"), markdown)
        XCTAssertTrue(markdown.contains("| RPO | 1h | insufficient history |"), markdown)
        let html = ReportRenderer.html(report)
        XCTAssertTrue(html.contains("class=\"banner insufficient\""), html)
        XCTAssertFalse(html.contains("<th></th>"), "key/value tables have no empty header row")
    }
}
