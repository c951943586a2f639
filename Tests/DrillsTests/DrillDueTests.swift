// `drill due`: never run, passed within its cadence, lapsed, last run failed or errored, drills known only
// from evidence, and drills without a cadence.
import Policy
import XCTest

@testable import Drills

final class DrillDueTests: XCTestCase {
    private let now = DrillFixture.t0
    private let day = DrillFixture.day

    private func ago(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(-seconds) }

    private func only(_ definitions: [DrillDefinition], _ evidence: [DrillEvidence]) -> DrillDueStatus? {
        let statuses = DrillAssessment.due(definitions: definitions, evidence: evidence, now: now)
        XCTAssertEqual(statuses.count, 1)
        return statuses.first
    }

    func testNeverRun() {
        let status = only([DrillFixture.definition("smoke", cadence: day)], [])
        XCTAssertEqual(
            status,
            DrillDueStatus(
                drill: "smoke", cadenceSeconds: day, lastRun: nil, lastVerdict: nil,
                dueAt: nil, due: true, reason: "never run"))
    }

    func testPassedWithinCadence() {
        let run = DrillFixture.evidence(drill: "smoke", startedAt: ago(20 * DrillFixture.hour))
        let status = only([DrillFixture.definition("smoke", cadence: day)], [run])
        XCTAssertEqual(status?.due, false)
        XCTAssertEqual(status?.lastRun, run.startedAt)
        XCTAssertEqual(status?.lastVerdict, .passed)
        XCTAssertEqual(status?.dueAt, run.startedAt.addingTimeInterval(day))
        XCTAssertEqual(status?.reason, "passed 2026-11-20T06:14:00Z; next due 2026-11-21T06:14:00Z (cadence 1d)")
    }

    func testLapsed() {
        let runs = [
            DrillFixture.evidence(drill: "full", startedAt: ago(200 * day)),
            DrillFixture.evidence(drill: "full", startedAt: ago(190 * day)),
        ]
        let status = only([DrillFixture.definition("full", cadence: 182 * day)], runs.reversed())
        XCTAssertEqual(status?.due, true)
        XCTAssertEqual(status?.lastRun, runs[1].startedAt, "the newest run, whatever the order given")
        XCTAssertEqual(status?.dueAt, runs[1].startedAt.addingTimeInterval(182 * day))
        XCTAssertEqual(status?.reason, "last passed 2026-05-15T02:14:00Z; cadence 182d lapsed 2026-11-13T02:14:00Z")
    }

    func testLastRunFailedIsDueEvenWithinCadence() {
        let passed = DrillFixture.evidence(drill: "smoke", startedAt: ago(2 * DrillFixture.hour))
        let failed = DrillFixture.evidence(drill: "smoke", startedAt: ago(DrillFixture.hour), verdict: .failed)
        let status = only([DrillFixture.definition("smoke", cadence: day)], [passed, failed])
        XCTAssertEqual(status?.due, true)
        XCTAssertEqual(status?.lastVerdict, .failed)
        XCTAssertEqual(
            status?.dueAt, passed.startedAt.addingTimeInterval(day), "still counted from the last passed run")
        XCTAssertEqual(status?.reason, "last run 2026-11-21T01:14:00Z failed")
    }

    func testLastRunErroredIsDue() {
        let errored = DrillFixture.evidence(drill: "smoke", startedAt: ago(DrillFixture.hour), verdict: .error)
        let status = only([DrillFixture.definition("smoke")], [errored])
        XCTAssertEqual(status?.due, true)
        XCTAssertNil(status?.dueAt, "no passed run to count from")
        XCTAssertEqual(status?.reason, "last run 2026-11-21T01:14:00Z could not finish")
    }

    func testPassedWithoutCadenceIsNotDue() {
        let status = only(
            [DrillFixture.definition("adhoc")], [DrillFixture.evidence(drill: "adhoc", startedAt: ago(400 * day))])
        XCTAssertEqual(status?.due, false)
        XCTAssertNil(status?.dueAt)
        XCTAssertEqual(status?.reason, "passed 2025-10-17T02:14:00Z; no cadence")
    }

    func testEvidenceOnlyDrillsAreListedWithTheirRecordedCadenceSortedByName() {
        let statuses = DrillAssessment.due(
            definitions: [DrillFixture.definition("zeta", cadence: day), DrillFixture.definition("alpha")],
            evidence: [
                DrillFixture.evidence(drill: "retired", startedAt: ago(40 * day), cadence: 30 * day),
                DrillFixture.evidence(drill: "zeta", startedAt: ago(DrillFixture.hour)),
            ],
            now: now)
        XCTAssertEqual(statuses.map(\.drill), ["alpha", "retired", "zeta"])
        XCTAssertEqual(statuses.map(\.due), [true, true, false])
        XCTAssertEqual(statuses[1].cadenceSeconds, 30 * day)
        XCTAssertEqual(statuses[1].reason, "last passed 2026-10-12T02:14:00Z; cadence 30d lapsed 2026-11-11T02:14:00Z")
    }

    func testTheDefinitionsCadenceWinsOverTheRecordedOne() {
        let run = DrillFixture.evidence(drill: "smoke", startedAt: ago(2 * day), cadence: 7 * day)
        let status = only([DrillFixture.definition("smoke", cadence: day)], [run])
        XCTAssertEqual(status?.cadenceSeconds, day)
        XCTAssertEqual(status?.due, true)
    }
}
