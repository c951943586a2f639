// The policy and drill models built in code, as the planners and the engine receive them: their defaults are
// the documented behaviour of a policy or drill file that leaves a section out.
import Foundation
import Policy
import XCTest

final class PolicyModelTests: XCTestCase {
    func testPolicyDefaultsKeepEverythingInUTCWithTheSafetyFloor() {
        let policy = RetentionPolicy(name: "p", sourcePath: "/etc/lifeboat/policies/p.yml")
        XCTAssertEqual(policy.timeZone, TimeZone(identifier: "UTC"))
        XCTAssertEqual(policy.objectives, Objectives(rpo: nil, rto: nil, drillEvery: nil))
        XCTAssertEqual(policy.safety, SafetyRules(minAge: 86_400, minComplete: 1))
        XCTAssertTrue(policy.keep.isEmpty)
        XCTAssertNil(policy.wal.pitrWindow)
        XCTAssertTrue(policy.tiering.isEmpty)
        XCTAssertNil(policy.immutability)
        XCTAssertEqual(
            KeepRules(),
            KeepRules(
                last: nil, hourly: nil, daily: nil, weekly: nil, monthly: nil,
                yearly: nil, within: nil))
    }

    func testStorageClassesRunFromWarmestToColdest() throws {
        let order = TieringRule.storageClassOrder
        XCTAssertEqual(order.first, "STANDARD")
        XCTAssertEqual(order.last, "DEEP_ARCHIVE")
        XCTAssertEqual(Set(order).count, order.count)
        let glacier = try XCTUnwrap(order.firstIndex(of: "GLACIER"))
        XCTAssertLessThan(try XCTUnwrap(order.firstIndex(of: "STANDARD_IA")), glacier)
        XCTAssertLessThan(try XCTUnwrap(order.firstIndex(of: "GLACIER_IR")), glacier)
    }

    func testSpellingsMatchTheFiles() throws {
        XCTAssertEqual(BackupTypeSetting.allCases.map(\.rawValue), ["logical", "snapshot"])
        XCTAssertEqual(CalendarPeriod.allCases.map(\.rawValue), ["hourly", "daily", "weekly", "monthly", "yearly"])
        XCTAssertEqual(ObjectLockMode.allCases.map(\.rawValue), ["GOVERNANCE", "COMPLIANCE"])
        XCTAssertEqual(DrillRestoreKind.allCases.map(\.rawValue), ["logical", "snapshot"])
        let encoded = try JSONEncoder().encode([BackupTypeSetting.snapshot])
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"["snapshot"]"#)
    }

    func testDrillDefaultsRestoreLatestIntoAScratchClusterWithNoChecks() {
        let drill = DrillDefinition(
            name: "smoke", sourcePath: "/etc/lifeboat/drills/smoke.yml", digest: "00",
            restore: DrillRestore(kind: .logical))
        XCTAssertNil(drill.cluster)
        XCTAssertEqual(drill.restore.backup, .latest)
        XCTAssertNil(drill.restore.database)
        XCTAssertNil(drill.restore.toTime)
        XCTAssertEqual(drill.target, .scratchCluster)
        XCTAssertEqual(drill.objectives, DrillObjectives(rpo: nil, rto: nil))
        XCTAssertEqual(drill.checks, DrillChecks(sql: [], amcheck: false, rowCounts: false, fullRead: false))
        XCTAssertNil(drill.cadence)
        XCTAssertFalse(drill.keep)
        XCTAssertFalse(drill.heartbeat)
    }
}
