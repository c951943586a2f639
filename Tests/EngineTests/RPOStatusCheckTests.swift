import Foundation
import XCTest

// RPOStatusCheckTests: the verdicts of `lifeboat status` decided by the Engine on an in-memory repository: within
// the objective passes, beyond it is an objective not met, nothing recoverable fails; the objective comes from
// --rpo, else the default 15 minutes.
@testable import Engine

final class RPOStatusCheckTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func check(_ history: InMemoryHistory) -> RPOStatusCheck {
        RPOStatusCheck(context: history.context, catalog: history.catalog, policies: history.policies)
    }

    func testRecentLogicalBackupIsWithinTheDefaultObjective() throws {
        let history = try InMemoryHistory(now: now)
        let manifest = try history.logicalBackup(finishedAt: now.addingTimeInterval(-600))
        let result = try check(history).run(rpo: nil, at: nil)
        XCTAssertEqual(result.verdict, .passed)
        XCTAssertEqual(result.status.status, "ok")
        XCTAssertEqual(result.status.objectiveSeconds, 900)
        XCTAssertEqual(result.status.objectiveSource, "default")
        XCTAssertEqual(result.status.source, "backup")
        XCTAssertEqual(result.status.newestBackup, manifest.id.rawValue)
        XCTAssertEqual(result.status.exposureSeconds ?? 0, 600, accuracy: 0.001)
        XCTAssertEqual(result.manifests.count, 1)
        XCTAssertEqual(result.walStoredBytes, 0)
    }

    func testExposureBeyondTheObjectiveIsNotMet() throws {
        let history = try InMemoryHistory(now: now)
        try history.logicalBackup(finishedAt: now.addingTimeInterval(-1200))
        let result = try check(history).run(rpo: 300, at: nil)
        XCTAssertEqual(result.verdict, .objectiveNotMet)
        XCTAssertEqual(result.status.status, "exceeded")
        XCTAssertEqual(result.status.objectiveSource, "--rpo")
    }

    func testEvaluatedAtAnotherTime() throws {
        let history = try InMemoryHistory(now: now)
        try history.logicalBackup(finishedAt: now.addingTimeInterval(-1200))
        let result = try check(history).run(rpo: nil, at: now.addingTimeInterval(-900))
        XCTAssertEqual(result.verdict, .passed, "as of 15 minutes ago the backup was 5 minutes old")
        XCTAssertEqual(result.status.now, now.addingTimeInterval(-900))
    }

    func testNothingRecoverableFails() throws {
        let history = try InMemoryHistory(now: now)
        let result = try check(history).run(rpo: nil, at: nil)
        XCTAssertEqual(result.verdict, .failed)
        XCTAssertEqual(result.status.status, "nothing_recoverable")
        XCTAssertNil(result.status.newestRecoverablePoint)
    }
}
