import Foundation
import XCTest

// CatalogListingTests: what `lifeboat list` shows, read by the Engine from an in-memory repository: backups oldest
// first with their pins and storage classes, and no WAL keys for a logical-only cluster.
@testable import Engine

final class CatalogListingTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func testBackupsOldestFirstWithPinsAndClasses() throws {
        let history = try InMemoryHistory(now: now)
        let older = try history.logicalBackup(finishedAt: now.addingTimeInterval(-7200))
        let newer = try history.logicalBackup(finishedAt: now.addingTimeInterval(-3600))
        let until = now.addingTimeInterval(86_400)
        try history.catalog.writePinRecord(
            PinRecord(
                backup: older.id, cluster: history.cluster, pinned: false,
                keepUntil: until, changedAt: now, changedBy: "test@memory"))
        let result = try CatalogListing(context: history.context, catalog: history.catalog).run()
        XCTAssertEqual(result.listing.backups.map(\.id), [older.id.rawValue, newer.id.rawValue])
        XCTAssertEqual(result.listing.backups[0].keepUntil, until)
        XCTAssertFalse(result.listing.backups[0].pinned)
        XCTAssertNil(result.listing.backups[1].keepUntil)
        XCTAssertEqual(result.listing.backups[1].storageClasses[RepositoryLayout.manifestName], "local")
        XCTAssertEqual(result.listing.backups[1].dataTier, "local")
        XCTAssertTrue(result.wal.isEmpty)
        XCTAssertNil(result.listing.recoveryWindows, "a logical-only cluster gets no WAL keys")
    }
}
