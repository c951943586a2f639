// What `drill run` prints at the end, exactly, and the evidence JSON shape (snake_case through CatalogCoding).
import Catalog
import XCTest

@testable import Drills

final class DrillSummaryTests: XCTestCase {
    static let passedChecks = [
        CheckOutcome(
            name: "catalog readable", kind: .sql, passed: true, detail: "expected 't', got 't'", seconds: 0.12),
        CheckOutcome(name: "full read", kind: .fullRead, passed: true, detail: "1,204 tables read", seconds: 2.2),
    ]

    func testPassedRun() {
        let evidence = DrillFixture.evidence(
            checks: Self.passedChecks,
            reasons: ["every check passed (2)", "RTO 1m2s ≤ 15m", "RPO 5s ≤ 15m"])
        XCTAssertEqual(
            DrillAssessment.summary(evidence),
            """
            DRILL PASSED: nightly-smoke on backup 20261121T010000Z-3f9a2c (latest) — RTO 1m2s (objective 15m), RPO 5s (objective 15m) measured by heartbeat
            run 20261121T021400Z-0a0b0c of cluster main; T0 2026-11-21T02:14:00Z; scratch cluster on 127.0.0.1:54321
            phases:
              select  0.2s
              restore 41.5s
              start   1.0s
              checks  2.3s
            checks:
              ✓ ok     catalog readable (sql, 0.1s): expected 't', got 't'
              ✓ ok     full read (full_read, 2.2s): 1,204 tables read
            reasons:
              every check passed (2)
              RTO 1m2s ≤ 15m
              RPO 5s ≤ 15m
            """)
    }

    /// A drill of an incremental says how many backups it restored, and the evidence keeps the chain.
    func testIncrementalRunNamesItsChain() throws {
        var evidence = DrillFixture.evidence(checks: Self.passedChecks)
        evidence.backup?.type = "incremental"
        evidence.backup?.chain = ["20261115T010000Z-000001", "20261120T010000Z-000002"]
        XCTAssertTrue(
            DrillAssessment.summary(evidence).hasPrefix(
                "DRILL PASSED: nightly-smoke on backup 20261121T010000Z-3f9a2c (latest; incremental, chain of 3) — "))
        let json = String(decoding: try CatalogCoding.encoder().encode(evidence), as: UTF8.self)
        XCTAssertTrue(
            json.contains(#""chain":["20261115T010000Z-000001","20261120T010000Z-000002"]"#), json)
        XCTAssertTrue(json.contains(#""type":"incremental""#), json)
        let full = String(decoding: try CatalogCoding.encoder().encode(DrillFixture.evidence()), as: UTF8.self)
        XCTAssertFalse(full.contains(#""chain""#), "a full's record is as before")
    }

    func testFailedRun() {
        var checks = Self.passedChecks
        checks.append(
            CheckOutcome(
                name: "row counts", kind: .rowCounts, passed: false,
                detail: "table public.orders: 10 rows, backup had 12", seconds: 0.5))
        var evidence = DrillFixture.evidence(
            verdict: .failed, checks: checks, rto: 1000, rpo: nil,
            reasons: [
                "check 'row counts' failed: table public.orders: 10 rows, backup had 12",
                "RTO 16m40s exceeds the objective 15m",
                "RPO could not be measured (objective 15m)",
            ])
        evidence.recoveryPoint = nil
        XCTAssertEqual(
            DrillAssessment.summary(evidence),
            """
            DRILL FAILED: nightly-smoke on backup 20261121T010000Z-3f9a2c (latest) — RTO 16m40s (objective 15m), RPO not measured (objective 15m)
            run 20261121T021400Z-0a0b0c of cluster main; T0 2026-11-21T02:14:00Z; scratch cluster on 127.0.0.1:54321
            phases:
              select  0.2s
              restore 41.5s
              start   1.0s
              checks  2.3s
            checks:
              ✓ ok     catalog readable (sql, 0.1s): expected 't', got 't'
              ✓ ok     full read (full_read, 2.2s): 1,204 tables read
              ✗ FAILED row counts (row_counts, 0.5s): table public.orders: 10 rows, backup had 12
            reasons:
              check 'row counts' failed: table public.orders: 10 rows, backup had 12
              RTO 16m40s exceeds the objective 15m
              RPO could not be measured (objective 15m)
            """)
    }

    func testErrorBeforeAnyBackupWasChosen() {
        var evidence = DrillFixture.evidence(
            verdict: .error, rto: nil, rpo: nil,
            reasons: ["no complete backup of the drill's kind"])
        evidence.backup = nil
        evidence.recoveryPoint = nil
        evidence.phases = []
        let lines = DrillAssessment.summary(evidence).split(separator: "\n").map(String.init)
        XCTAssertEqual(
            lines[0],
            "DRILL ERROR: nightly-smoke without a backup — RTO not measured (objective 15m), RPO not measured (objective 15m)"
        )
        XCTAssertEqual(
            Array(lines[2...]),
            [
                "phases: none recorded", "checks: none ran", "reasons:",
                "  no complete backup of the drill's kind",
            ])
    }

    func testEvidenceJSONRoundTripsInSnakeCase() throws {
        var evidence = DrillFixture.evidence(checks: Self.passedChecks)
        evidence.recoveryPoint = RecoveryPointRecord(
            at: DrillFixture.t0.addingTimeInterval(-30),
            method: .lastReplayedTransaction, lsn: "0/5000060")
        let data = try CatalogCoding.encoder().encode(evidence)
        let text = String(decoding: data, as: UTF8.self)
        for key in [
            "\"format_version\":1", "\"definition_digest\":", "\"incident_at\":\"2026-11-21T02:14:00.000Z\"",
            "\"rto_seconds\":62", "\"recovery_point\":", "\"method\":\"last_replayed_transaction\"",
            "\"rpo_source\":\"policy production\"", "\"kind\":\"full_read\"", "\"verdict\":\"passed\"",
        ] {
            XCTAssertTrue(text.contains(key), "\(key) in \(text)")
        }
        XCTAssertFalse(text.contains("cadence_seconds"), "nil optionals are left out")
        XCTAssertEqual(try CatalogCoding.decoder().decode(DrillEvidence.self, from: data), evidence)
    }
}
