import Foundation
import Policy
import Retention
import Storage
import XCTest

// PruneChainTests: `lifeboat prune` on a real sealed repository in memory holding incremental chains
// (docs/format.md §6.5): the plan keeps what a kept incremental needs, marks an incremental whose parent was
// swapped as not restorable (found by authenticating the chain), and deletes expired backups newest first so an
// interrupted run never leaves an incremental without its parent.
@testable import Engine

final class PruneChainTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    /// Records the key of every delete, in order.
    final class DeleteRecorder: StoreInterceptor, @unchecked Sendable {
        private let lock = NSLock()
        private var keys: [String] = []
        var deleted: [String] {
            lock.lock()
            defer { lock.unlock() }
            return keys
        }
        func intercept<T>(_ operation: StoreOperation, _ body: () throws -> T) throws -> T {
            if operation.kind == .delete {
                lock.lock()
                keys.append(operation.subject)
                lock.unlock()
            }
            return try body()
        }
    }

    var lastOne: RetentionPolicy {
        RetentionPolicy(
            name: "last-one", sourcePath: "/policies/last-one.yml", safety: SafetyRules(minAge: 0, minComplete: 1),
            keep: [.snapshot: KeepRules(last: 1)])
    }

    func testExpiredChainsAreDeletedNewestFirst() throws {
        let history = try InMemoryHistory(now: now)
        let old = try history.chain(incrementals: 2, endingBefore: now.addingTimeInterval(-5 * day))
        let newest = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-60))
        let recorder = DeleteRecorder()
        let catalog = BackupCatalog(
            repository: Repository(store: InterceptedStore(history.store, recorder)), keyring: history.catalog.keyring,
            cluster: history.cluster)
        let outcome = try Pruner(context: history.context, catalog: catalog, policy: lastOne).run(
            now: now, dryRun: false)
        XCTAssertEqual(Set(outcome.plan.expiredBackups.map(\.id)), Set(old.map(\.id.rawValue)))
        let manifests = recorder.deleted.filter { $0.hasSuffix("/" + RepositoryLayout.manifestName) }
        XCTAssertEqual(
            manifests, try old.reversed().map { try history.manifestKey($0).rawValue },
            "the newest incremental's manifest goes first, the full's last")
        XCTAssertEqual(try history.catalog.backupIDs(), [newest.id])
    }

    func testTheChainOfTheNewestIncrementalIsKept() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 2, endingBefore: now)
        let outcome = try Pruner(context: history.context, catalog: history.catalog, policy: lastOne).run(
            now: now, dryRun: false)
        XCTAssertEqual(outcome.plan.expiredBackups.map(\.id), [])
        XCTAssertEqual(
            outcome.plan.backups.first { $0.id == links[0].id.rawValue }?.reasons,
            ["needed by incremental \(links[2].id)"])
        XCTAssertEqual(try history.catalog.backupIDs(), links.map(\.id))
    }

    /// The forged parent authenticates on its own; only the chain's hash tells the planner that the incremental
    /// restores nothing, so it is not counted as the newest point and the full stays the one `last 1` keeps.
    func testAnIncrementalWithASwappedParentIsReportedNotCounted() throws {
        let history = try InMemoryHistory(now: now)
        let links = try history.chain(incrementals: 1, endingBefore: now)
        let other = try history.snapshotBackup(finishedAt: now.addingTimeInterval(-2 * day))
        try history.replaceManifest(of: links[0], withContentOf: other)
        let outcome = try Pruner(context: history.context, catalog: history.catalog, policy: lastOne).run(
            now: now, dryRun: true)
        let incremental = try XCTUnwrap(outcome.plan.backups.first { $0.id == links[1].id.rawValue })
        XCTAssertEqual(incremental.action, .keep)
        XCTAssertTrue(incremental.reasons[0].hasPrefix("not restorable: the manifest of its parent"), "\(incremental)")
        XCTAssertEqual(incremental.parent, links[0].id.rawValue)
        let full = try XCTUnwrap(outcome.plan.backups.first { $0.id == links[0].id.rawValue })
        XCTAssertEqual(full.reasons, ["last 1", "newest complete snapshot backup"])
    }
}
