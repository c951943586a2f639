import Configuration
import Foundation
import XCTest

// ChainViewsTests: how `list`, `verify` and `status` see incremental chains (docs/format.md §6.5) on a real sealed
// repository in memory: list shows type, parent and chain length and flags a broken chain; verify of an
// incremental reads every backup of its chain and authenticates it; verify --all reports a broken chain as an
// integrity failure (exit 4) naming the incremental, and so does verify of that incremental alone.
@testable import Engine

final class ChainViewsTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func request(_ reference: String? = nil, all: Bool = false) -> VerificationRequest {
        VerificationRequest(reference: reference, all: all, wal: false, rehydration: RehydrationOptions(wait: false))
    }

    func testListShowsTypeParentAndChainLength() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        let listing = try CatalogListing(context: history.context, catalog: history.catalog).run().listing
        XCTAssertEqual(listing.backups.map(\.type), ["full", "incremental", "incremental"])
        XCTAssertEqual(listing.backups.map(\.parent), [nil, links[0].id.rawValue, links[1].id.rawValue])
        XCTAssertEqual(listing.backups.map(\.chainLength), [1, 2, 3])
        XCTAssertEqual(listing.backups.compactMap(\.chainBroken), [])
    }

    func testListFlagsABrokenChainAndStillListsEverything() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 1, endingBefore: now)
        let other = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-60))
        try history.replaceManifest(of: links[0], withContentOf: other)
        let listing = try CatalogListing(context: history.context, catalog: history.catalog).run().listing
        XCTAssertEqual(listing.backups.count, 3)
        let broken = try XCTUnwrap(listing.backups.first { $0.id == links[1].id.rawValue })
        XCTAssertTrue(broken.chainBroken?.contains("not the one it was taken against") == true, "\(broken)")
    }

    func testVerifyingAnIncrementalReadsItsWholeChain() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        let report = try Verification(context: history.context, catalog: history.catalog).run(request("latest"))
        XCTAssertEqual(report.verdict, .passed)
        XCTAssertEqual(report.manifests.map(\.id), links.map(\.id), "oldest first: the full, then each incremental")
        XCTAssertEqual(
            report.backups.checks.map(\.object), ["base.tar.zst.lbx", "base.tar.zst.lbx", "base.tar.zst.lbx", "chain"])
        XCTAssertEqual(report.backups.checks.last?.backup, links[2].id.rawValue)
    }

    /// A damaged object of the full fails the verification of the incremental that needs it.
    func testDamageToAChainMemberFailsTheIncremental() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 1, endingBefore: now)
        try history.tamper(try history.objectKey(links[0]))
        let report = try Verification(context: history.context, catalog: history.catalog)
            .run(request(links[1].id.rawValue))
        XCTAssertEqual(report.verdict, .integrityFailure)
        XCTAssertEqual(report.backups.failures.map(\.backup), [links[0].id.rawValue])
    }

    func testABrokenChainIsAnIntegrityFailureForVerifyAllAndForTheIncremental() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        try history.deleteManifest(of: links[1])
        let verification = Verification(context: history.context, catalog: history.catalog)
        let all = try verification.run(request(all: true))
        XCTAssertEqual(all.verdict, .integrityFailure)
        XCTAssertEqual(all.failure?.exitStatus, .integrity)
        XCTAssertEqual(all.backups.failures.map(\.object), ["chain"])
        XCTAssertEqual(all.damage.count, 1)
        XCTAssertTrue(all.damage[0].hasPrefix("broken chain: incremental \(links[2].id): "), all.damage[0])
        XCTAssertEqual(all.failure?.message, "1 incremental chain(s) broken")

        let one = try verification.run(request(links[2].id.rawValue))
        XCTAssertEqual(one.verdict, .integrityFailure)
        XCTAssertEqual(one.manifests.map(\.id), [links[2].id], "its own objects are still read")
        XCTAssertTrue(one.backups.failures[0].problem?.contains("is not in the repository") == true)
    }

    /// `status` measures the newest snapshot's chain and counts broken chains (docs/metrics.md).
    func testStatusMeasuresChains() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        let status = RPOStatusCheck(context: history.context, catalog: history.catalog, policies: history.policies)
        var result = try status.run(rpo: nil, at: nil)
        XCTAssertEqual(result.newestSnapshotChainLength, 3)
        XCTAssertEqual(result.brokenChains, 0)
        try history.deleteManifest(of: links[0])
        result = try status.run(rpo: nil, at: nil)
        XCTAssertEqual(result.brokenChains, 2, "both incrementals lost their full")
        XCTAssertEqual(result.manifests.count, 2, "listed all the same")
    }
}

/// Drills pick among restorable backups whatever their type and record the chain they restore.
final class DrillChainSelectionTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func runner(_ history: InMemoryHistory, backup: String = "latest") throws -> DrillRunner {
        let definition = try DrillLoader.parse(
            yaml: "name: semiannual-full\nrestore: { type: snapshot, backup: \(backup) }\n",
            sourcePath: "/drills/semiannual-full.yml", digest: "00")
        return DrillRunner(context: history.context, catalog: history.catalog, policy: nil, definition: definition)
    }

    func testLatestIsTheNewestSnapshotWhateverItsTypeAndTheEvidenceRecordsItsChain() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        let state = DrillState(incidentAt: now, keep: false)
        let (chosen, reads) = try runner(history).select(state)
        XCTAssertEqual(chosen.id, links[2].id)
        XCTAssertEqual(reads.map(\.id), links.reversed().map(\.id), "the incremental, then its chain back to the full")
        XCTAssertEqual(state.backup?.type, "incremental")
        XCTAssertEqual(state.backup?.chain, [links[0].id.rawValue, links[1].id.rawValue])
        XCTAssertEqual(state.backup?.chainLength, 3)
    }

    func testLatestSkipsAnIncrementalWhoseChainIsBrokenAndANamedOneFails() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        try history.deleteManifest(of: links[1])
        let state = DrillState(incidentAt: now, keep: false)
        let (chosen, reads) = try runner(history).select(state)
        XCTAssertEqual(chosen.id, links[0].id, "the newest restorable snapshot is the full")
        XCTAssertEqual(reads.map(\.id), [links[0].id])
        XCTAssertEqual(state.backup?.type, "full")
        XCTAssertNil(state.backup?.chain)
        XCTAssertThrowsError(
            try runner(history, backup: links[2].id.rawValue).select(DrillState(incidentAt: now, keep: false))
        ) { error in
            XCTAssertEqual((error as? EngineError)?.exitStatus, .integrity, "\(error)")
        }
    }
}
