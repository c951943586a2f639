import Foundation
import XCTest

// VerificationTests: the verdicts of `lifeboat verify` decided by the Engine (Verification) on a real sealed
// repository in memory: an intact repository passes; a missing or tampered object is an integrity failure that
// names the object by its repository key; --all reads every backup; --wal alone reads no backup.
@testable import Engine

final class VerificationTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func request(_ reference: String? = nil, all: Bool = false, wal: Bool = false) -> VerificationRequest {
        VerificationRequest(reference: reference, all: all, wal: wal, rehydration: RehydrationOptions(wait: false))
    }

    func testIntactRepositoryPasses() throws {
        let history = try InMemoryHistory(now: now)
        let manifest = try history.logicalBackup(finishedAt: now.addingTimeInterval(-3600))
        let report = try Verification(context: history.context, catalog: history.catalog).run(request())
        XCTAssertEqual(report.verdict, .passed)
        XCTAssertNil(report.failure)
        XCTAssertNil(report.listingFailure)
        XCTAssertEqual(report.damage, [])
        XCTAssertEqual(report.manifests.map(\.id), [manifest.id])
        XCTAssertEqual(report.backups.checks.count, 1)
        let check = try XCTUnwrap(report.backups.checks.first)
        XCTAssertTrue(check.ok)
        XCTAssertEqual(check.entries, 1)
        XCTAssertEqual(check.storedBytes, manifest.objects[0].storedSize)
    }

    func testMissingObjectIsAnIntegrityFailureNamingItsKey() throws {
        let history = try InMemoryHistory(now: now)
        let manifest = try history.logicalBackup(finishedAt: now.addingTimeInterval(-3600))
        let key = try history.objectKey(manifest)
        try history.store.delete(key)
        let report = try Verification(context: history.context, catalog: history.catalog).run(request("latest"))
        XCTAssertEqual(report.verdict, .integrityFailure)
        XCTAssertEqual(report.backups.failures.count, 1)
        XCTAssertEqual(report.damage.count, 1)
        XCTAssertTrue(report.damage[0].hasPrefix("damaged: \(key.rawValue): "), report.damage[0])
        let failure = try XCTUnwrap(report.failure as? VerificationFailure)
        XCTAssertEqual(failure.exitStatus, .integrity)
        XCTAssertEqual(failure.message, "1 object(s) failed verification")
    }

    func testTamperedObjectIsAnIntegrityFailure() throws {
        let history = try InMemoryHistory(now: now)
        let manifest = try history.logicalBackup(
            finishedAt: now.addingTimeInterval(-3600),
            content: Array(repeating: 0x5A, count: 200_000))
        let key = try history.objectKey(manifest)
        try history.tamper(key)
        let verification = Verification(context: history.context, catalog: history.catalog)
        let report = try verification.run(request(manifest.id.rawValue))
        XCTAssertEqual(report.verdict, .integrityFailure)
        let check = try XCTUnwrap(report.backups.checks.first)
        XCTAssertFalse(check.ok)
        XCTAssertNotNil(check.problem)
        XCTAssertEqual(report.damage, ["damaged: \(key.rawValue): \(check.problem ?? "")"])
        XCTAssertEqual(report.failure?.exitStatus, .integrity)
    }

    func testAllReadsEveryBackupAndFindsTheDamagedOne() throws {
        let history = try InMemoryHistory(now: now)
        let older = try history.logicalBackup(finishedAt: now.addingTimeInterval(-7200))
        let newer = try history.logicalBackup(finishedAt: now.addingTimeInterval(-3600))
        try history.tamper(try history.objectKey(older))
        let verification = Verification(context: history.context, catalog: history.catalog)

        let latest = try verification.run(request())
        XCTAssertEqual(latest.manifests.map(\.id), [newer.id], "the default is the newest backup")
        XCTAssertEqual(latest.verdict, .passed)

        let all = try verification.run(request(all: true))
        XCTAssertEqual(all.manifests.map(\.id), [older.id, newer.id])
        XCTAssertEqual(all.backups.checks.map(\.ok), [false, true])
        XCTAssertEqual(all.verdict, .integrityFailure)
        XCTAssertNil(all.listingFailure, "a logical-only cluster has no WAL archive for list to refuse")
    }

    func testWALAloneReadsNoBackup() throws {
        let history = try InMemoryHistory(now: now)
        try history.logicalBackup(finishedAt: now.addingTimeInterval(-3600))
        let report = try Verification(context: history.context, catalog: history.catalog).run(request(wal: true))
        XCTAssertEqual(report.manifests.count, 0)
        XCTAssertEqual(report.backups.checks.count, 0)
        let wal = try XCTUnwrap(report.wal)
        XCTAssertEqual(wal.files.count, 0)
        XCTAssertEqual(report.verdict, .passed)
    }

    func testUnknownBackupIsAnError() throws {
        let history = try InMemoryHistory(now: now)
        let verification = Verification(context: history.context, catalog: history.catalog)
        XCTAssertThrowsError(try verification.run(request("latest")))
    }

    func testWALFailureNamesTheGapsAndCountsDamage() {
        let gap = WALSegmentRange(
            timeline: 1, first: "000000010000000000000003", last: "000000010000000000000004",
            segments: 2)
        let failure = WALVerificationFailure(damaged: 1, gaps: [gap])
        XCTAssertEqual(failure.exitStatus, .integrity)
        XCTAssertEqual(
            failure.message,
            "1 object(s) failed verification; the WAL archive has 1 gap(s): "
                + "000000010000000000000003 … 000000010000000000000004 (2 segment(s) missing)")
        XCTAssertEqual(
            VerificationReport.describe(gap),
            "WAL gap on timeline 1: "
                + "000000010000000000000003 … 000000010000000000000004 (2 segments missing)")
    }
}
