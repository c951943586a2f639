// The verdict matrix: which combinations of checks, measurements and objectives pass, fail or error, and the
// reasons given for each.
import XCTest

@testable import Drills

final class DrillVerdictTests: XCTestCase {
    static let objectives = ObjectivesRecord(
        rpoSeconds: 900, rtoSeconds: 3600, rpoSource: "policy production", rtoSource: "policy production")
    static let none = ObjectivesRecord(rpoSeconds: nil, rtoSeconds: nil, rpoSource: "none", rtoSource: "none")

    private func check(_ name: String, passed: Bool = true, detail: String = "ok") -> CheckOutcome {
        CheckOutcome(name: name, kind: .sql, passed: passed, detail: detail, seconds: 0.1)
    }

    private func verdict(
        _ checks: [CheckOutcome], rto: Double?, rpo: Double?, objectives: ObjectivesRecord = objectives,
        failure: String? = nil
    ) -> (DrillVerdict, [String]) {
        DrillAssessment.verdict(
            checks: checks, rtoSeconds: rto, rpoSeconds: rpo, objectives: objectives, failure: failure)
    }

    func testEverythingPasses() {
        let (result, reasons) = verdict([check("a"), check("b"), check("c"), check("d")], rto: 62, rpo: 5)
        XCTAssertEqual(result, .passed)
        XCTAssertEqual(reasons, ["every check passed (4)", "RTO 1m2s ≤ 1h", "RPO 5s ≤ 15m"])
    }

    func testFailedSQLCheck() {
        let (result, reasons) = verdict(
            [check("catalog"), check("orders present", passed: false, detail: "expected 't', got 'f'")],
            rto: 62, rpo: 5)
        XCTAssertEqual(result, .failed)
        XCTAssertEqual(reasons, ["check 'orders present' failed: expected 't', got 'f'"])
    }

    func testRTOOverObjective() {
        let objectives = ObjectivesRecord(rpoSeconds: 900, rtoSeconds: 600, rpoSource: "none", rtoSource: "drill d")
        let (result, reasons) = verdict([check("a")], rto: 750, rpo: 5, objectives: objectives)
        XCTAssertEqual(result, .failed)
        XCTAssertEqual(reasons, ["RTO 12m30s exceeds the objective 10m"])
    }

    func testRPOOverObjective() {
        let (result, reasons) = verdict([check("a")], rto: 62, rpo: 1200)
        XCTAssertEqual(result, .failed)
        XCTAssertEqual(reasons, ["RPO 20m exceeds the objective 15m"])
    }

    func testObjectiveMetExactlyPasses() {
        XCTAssertEqual(verdict([check("a")], rto: 3600, rpo: 900).0, .passed)
    }

    func testUnmeasuredRPOWithAnObjectiveFails() {
        let (result, reasons) = verdict([check("a")], rto: 62, rpo: nil)
        XCTAssertEqual(result, .failed)
        XCTAssertEqual(reasons, ["RPO could not be measured (objective 15m)"])
    }

    func testEveryFailureIsListedChecksFirst() {
        let (result, reasons) = verdict(
            [check("rows", passed: false, detail: "table public.x: 10 rows, backup had 12")],
            rto: nil, rpo: 1200)
        XCTAssertEqual(result, .failed)
        XCTAssertEqual(
            reasons,
            [
                "check 'rows' failed: table public.x: 10 rows, backup had 12",
                "RTO could not be measured (objective 1h)", "RPO 20m exceeds the objective 15m",
            ])
    }

    func testNoObjectives() {
        let (result, reasons) = verdict([check("a")], rto: 62, rpo: nil, objectives: Self.none)
        XCTAssertEqual(result, .passed)
        XCTAssertEqual(
            reasons, ["every check passed (1)", "RTO 1m2s (no objective)", "RPO not measured (no objective)"])
    }

    func testNoChecksStillPassesOnTheRestoreAlone() {
        let (result, reasons) = verdict([], rto: 62, rpo: 5)
        XCTAssertEqual(result, .passed)
        XCTAssertEqual(reasons.first, "no checks defined; the restore itself succeeded")
    }

    func testErrorWinsAndKeepsFailedChecks() {
        let (result, reasons) = verdict(
            [check("a", passed: false, detail: "connection refused")], rto: nil, rpo: nil,
            failure: "restore failed: pg_restore exited with status 1")
        XCTAssertEqual(result, .error)
        XCTAssertEqual(
            reasons, ["restore failed: pg_restore exited with status 1", "check 'a' failed: connection refused"])
    }
}
