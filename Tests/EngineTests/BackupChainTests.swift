// BackupChainTests: resolving an incremental's chain (docs/format.md §6.5) in a real, encrypted in-memory
// repository: a full alone, a chain of three, and every way a chain can fail to hold — a missing parent, a parent
// manifest replaced by another valid snapshot's, a recorded chain that does not match, and a parent of another
// cluster history — each an integrity failure (exit 4) naming the problem.
import Foundation
import XCTest

@testable import Engine

final class BackupChainTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// `link` is the backup whose parent link fails (default: `manifest` itself); the error names `manifest`, the
    /// backup asked for, and the failing ancestor in its detail.
    private func assertBroken(
        _ manifest: BackupManifest, _ catalog: BackupCatalog, _ fragment: String, link: BackupManifest? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try BackupChain.resolve(manifest, catalog: catalog), file: file, line: line) { error in
            guard case EngineError.chainBroken(let backup, let detail) = error else {
                return XCTFail("not a broken chain: \(error)", file: file, line: line)
            }
            XCTAssertEqual(backup, manifest.id.rawValue, file: file, line: line)
            XCTAssertTrue(detail.contains(fragment), "'\(detail)' lacks '\(fragment)'", file: file, line: line)
            if let link, link.id != manifest.id {
                XCTAssertTrue(
                    detail.hasPrefix("at its ancestor '\(link.id)': "), "'\(detail)' names no ancestor", file: file,
                    line: line)
            }
            XCTAssertEqual((error as? EngineError)?.exitStatus, .integrity, file: file, line: line)
        }
    }

    func testAFullSnapshotIsItsOwnChain() throws {
        let history = try InMemoryHistory(now: now)
        let full = try history.snapshotBackup(finishedAt: now)
        let chain = try BackupChain.resolve(full, catalog: history.catalog)
        XCTAssertEqual(chain.links.map(\.id), [full.id])
        XCTAssertEqual(chain.length, 1)
        XCTAssertEqual(chain.full.id, full.id)
    }

    func testAChainOfThreeResolvesNewestFirst() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        let chain = try BackupChain.resolve(links[2], catalog: history.catalog)
        XCTAssertEqual(chain.links.map(\.id), links.reversed().map(\.id))
        XCTAssertEqual(chain.length, 3)
        XCTAssertEqual(chain.full.id, links[0].id)
        XCTAssertEqual(links[2].incremental?.chain, [links[0].id, links[1].id])
    }

    func testAMissingParentBreaksTheChain() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        try history.deleteManifest(of: links[1])
        assertBroken(links[2], history.catalog, "its parent '\(links[1].id)' is not in the repository")
        // A missing full is found one link further up: the error names the backup asked for and the link that
        // needs the full.
        let other = try InMemoryHistory(now: now)
        let chain = try other.chain(incrementals: 2, endingBefore: now)
        try other.deleteManifest(of: chain[0])
        assertBroken(chain[2], other.catalog, "its parent '\(chain[0].id)' is not in the repository", link: chain[1])
    }

    /// The parent's manifest replaced by another valid snapshot's (re-sealed under the parent's id, so it
    /// authenticates and names the right backup): only the recorded SHA-256 catches it.
    func testAParentSwappedForAnotherValidSnapshotIsCaughtByItsHash() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 1, endingBefore: now)
        let other = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-60))
        try history.replaceManifest(of: links[0], withContentOf: other)
        XCTAssertNoThrow(try history.catalog.manifest(links[0].id), "the forged manifest authenticates on its own")
        assertBroken(links[1], history.catalog, "is not the one it was taken against")
    }

    /// A chain whose links hash correctly but whose recorded list does not continue its parent's (a manifest
    /// written by a faulty or hostile writer).
    func testARecordedChainThatDoesNotContinueItsParentsBreaksIt() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 1, endingBefore: now)
        let stranger = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-7200 * 3))
        var child = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-60), parent: links[1])
        child.snapshot?.incremental?.chain = [stranger.id, links[1].id]
        try history.catalog.commit(child)
        assertBroken(child, history.catalog, "does not continue its parent's")
    }

    func testAParentOfAnotherClusterHistoryBreaksTheChain() throws {
        let history = try InMemoryHistory(now: now)
        let full = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-7200), systemIdentifier: "7999")
        let child = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-3600), parent: full)
        assertBroken(child, history.catalog, "another cluster history")
        let timeline = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-1800), timeline: 2)
        let onTimeline1 = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-60), parent: timeline)
        var moved = onTimeline1
        moved.snapshot?.timeline = 1
        moved.server.timeline = 1
        try history.catalog.commit(moved)
        assertBroken(moved, history.catalog, "another cluster history")
    }

    /// The inventory the views use finds the same verdicts from manifests read once.
    func testTheInventoryFindsBrokenChainsWithoutFailing() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        let other = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-60))
        try history.replaceManifest(of: links[1], withContentOf: other)
        let inventory = try ChainInventory.read(history.catalog)
        XCTAssertNil(inventory.state(of: links[0].id).broken)
        XCTAssertEqual(inventory.state(of: links[0].id).type, "full")
        XCTAssertNil(inventory.state(of: links[1].id).broken, "its own parent is intact")
        XCTAssertEqual(inventory.state(of: links[2].id).length, 3)
        XCTAssertTrue(inventory.state(of: links[2].id).broken?.contains("not the one it was taken against") == true)
        XCTAssertEqual(inventory.broken.map(\.manifest.id), [links[2].id])
        XCTAssertEqual(inventory.restorable.map(\.id), [links[0].id, links[1].id, other.id])
    }
}
