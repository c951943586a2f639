// Choosing the backup to restore and the objectives to measure against.
import Catalog
import Policy
import XCTest

@testable import Drills

final class DrillSelectionTests: XCTestCase {
    private let now = DrillFixture.t0
    private let day = DrillFixture.day

    private func ago(_ seconds: TimeInterval) -> Date { now.addingTimeInterval(-seconds) }

    func testLatestIsTheNewestFinished() {
        // The long backup started first but finished last: it holds the newest data.
        let long = DrillFixture.manifest(startedAt: ago(3 * DrillFixture.hour), duration: 2.5 * DrillFixture.hour)
        let short = DrillFixture.manifest(startedAt: ago(2 * DrillFixture.hour), duration: 600)
        let old = DrillFixture.manifest(startedAt: ago(day))
        let (chosen, description) = DrillAssessment.selectBackup(.latest, candidates: [short, long, old], now: now) {
            _ in 0
        }
        XCTAssertEqual(chosen?.id, long.id)
        XCTAssertEqual(description, "latest")
    }

    func testLatestWithoutCandidates() {
        let (chosen, reason) = DrillAssessment.selectBackup(.latest, candidates: [], now: now) { _ in 0 }
        XCTAssertNil(chosen)
        XCTAssertEqual(reason, "no complete backup of the drill's kind")
    }

    func testRandomPicksAmongBackupsStartedWithinTheWindowSortedByID() {
        let backups = [10, 1, 5, 3].map { DrillFixture.manifest(startedAt: ago(Double($0) * day)) }
        var offered = 0
        let (chosen, description) = DrillAssessment.selectBackup(.randomWithin(7 * day), candidates: backups, now: now)
        { count in
            offered = count
            return 1
        }
        XCTAssertEqual(offered, 3)
        XCTAssertEqual(chosen?.id, backups[3].id, "sorted by id: 5d, 3d, 1d ago; index 1 is 3 days ago")
        XCTAssertEqual(description, "random within 7d (3 candidates)")
    }

    func testRandomWindowIncludesItsStart() {
        let edge = DrillFixture.manifest(startedAt: ago(7 * day))
        let (chosen, description) = DrillAssessment.selectBackup(.randomWithin(7 * day), candidates: [edge], now: now) {
            _ in 0
        }
        XCTAssertEqual(chosen?.id, edge.id)
        XCTAssertEqual(description, "random within 7d (1 candidate)")
    }

    func testRandomWithAnEmptyWindow() {
        let backups = [8, 30].map { DrillFixture.manifest(startedAt: ago(Double($0) * day)) }
        let (chosen, reason) = DrillAssessment.selectBackup(.randomWithin(7 * day), candidates: backups, now: now) {
            _ in 0
        }
        XCTAssertNil(chosen)
        XCTAssertEqual(reason, "no logical backup of cluster 'main' started within 7d (2 older)")
    }

    func testNamedBackup() {
        let backups = [1, 2].map { DrillFixture.manifest(startedAt: ago(Double($0) * day)) }
        let (chosen, description) = DrillAssessment.selectBackup(
            .id(backups[1].id.rawValue), candidates: backups, now: now
        ) { _ in 0 }
        XCTAssertEqual(chosen?.id, backups[1].id)
        XCTAssertEqual(description, "named")
    }

    func testNamedBackupMissing() {
        let backups = [DrillFixture.manifest(startedAt: ago(day), kind: .snapshot)]
        let (chosen, reason) = DrillAssessment.selectBackup(
            .id("20200101T000000Z-000000"), candidates: backups, now: now
        ) { _ in 0 }
        XCTAssertNil(chosen)
        XCTAssertEqual(reason, "backup '20200101T000000Z-000000' is not a complete snapshot backup of cluster 'main'")
    }

    // MARK: - objectives

    private let policy = RetentionPolicy(
        name: "production", sourcePath: "/etc/lifeboat/policies/production.yml",
        objectives: Objectives(rpo: 900, rto: 3600, drillEvery: 182 * 86_400))

    func testDrillObjectivesWin() {
        let drill = DrillFixture.definition("smoke", objectives: DrillObjectives(rpo: 60, rto: 900))
        XCTAssertEqual(
            DrillAssessment.objectives(drill: drill, policy: policy),
            ObjectivesRecord(rpoSeconds: 60, rtoSeconds: 900, rpoSource: "drill smoke", rtoSource: "drill smoke"))
    }

    func testEachObjectiveFallsBackToThePolicySeparately() {
        let drill = DrillFixture.definition("smoke", objectives: DrillObjectives(rto: 900))
        XCTAssertEqual(
            DrillAssessment.objectives(drill: drill, policy: policy),
            ObjectivesRecord(rpoSeconds: 900, rtoSeconds: 900, rpoSource: "policy production", rtoSource: "drill smoke")
        )
    }

    func testNoObjectivesAnywhere() {
        let none = ObjectivesRecord(rpoSeconds: nil, rtoSeconds: nil, rpoSource: "none", rtoSource: "none")
        XCTAssertEqual(DrillAssessment.objectives(drill: DrillFixture.definition("smoke"), policy: nil), none)
        let silent = RetentionPolicy(name: "development", sourcePath: "/p.yml")
        XCTAssertEqual(DrillAssessment.objectives(drill: DrillFixture.definition("smoke"), policy: silent), none)
    }
}
