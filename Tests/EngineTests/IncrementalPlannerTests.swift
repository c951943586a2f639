import Configuration
import Foundation
import XCTest

@testable import Engine

/// Which parent an incremental builds on, and when a snapshot is full instead (with the reason).
final class IncrementalPlannerTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let system = "7400000000000000001"

    /// Commits a snapshot manifest (no objects: the planner reads manifests only) and returns it.
    @discardableResult
    func snapshot(
        _ history: InMemoryHistory, id: String, age: TimeInterval, system: String? = nil, timeline: Int = 1,
        serverManifest: Bool = true, parent: BackupManifest? = nil, method: IncrementalMethod = .pageLSN,
        parentSha: String? = nil
    ) throws -> BackupManifest {
        let started = now.addingTimeInterval(-age)
        var manifest = BackupManifest(
            id: BackupID(id)!, cluster: "main", kind: .snapshot, label: nil, startedAt: started,
            finishedAt: started.addingTimeInterval(1), pinned: false, keepUntil: nil,
            tool: ToolInfo(name: "lifeboat", version: "0", host: "h"),
            server: ServerInfo(
                version: "15", versionNumber: 150000, systemIdentifier: system ?? self.system, timeline: timeline,
                startLsn: "0/\(String(Int(age) + 16, radix: 16, uppercase: true))", stopLsn: "0/F0000000"),
            compression: CompressionInfo(algorithm: "zstd", level: 3),
            encryption: EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: "k"), objects: [], databases: [],
            globals: nil)
        manifest.snapshot = SnapshotRecord(
            object: "base.tar.zst.lbx", entry: "base.tar", format: "pg_basebackup-tar", timeline: timeline,
            walSegmentSize: 16 << 20, startWal: "000000010000000000000001", stopWal: "000000010000000000000001",
            serverManifest: serverManifest ? "backup_manifest.tar.zst.lbx" : nil)
        if let parent {
            let sha = try parentSha ?? history.catalog.sealedManifest(parent.id).sha256
            manifest.formatVersion = BackupManifest.incrementalFormatVersion
            manifest.snapshot?.incremental = IncrementalRecord(
                parent: parent.id, parentManifestSha256: sha, chain: (parent.incremental?.chain ?? []) + [parent.id],
                method: method, sinceLsn: parent.server.startLsn)
        }
        try history.catalog.commit(manifest)
        return manifest
    }

    func decide(
        _ history: InMemoryHistory, _ mode: IncrementalMode = .incremental, settings: IncrementalSettings? = nil,
        pageLSNOnly: Bool = false
    ) -> IncrementalDecision {
        IncrementalPlanner(catalog: history.catalog, settings: settings)
            .decide(mode, systemIdentifier: system, timeline: 1, now: now, pageLSNOnly: pageLSNOnly)
    }

    func testNoParentMeansFullWithAReasonOnlyWhenAnIncrementalWasWanted() throws {
        let history = try InMemoryHistory(now: now)
        XCTAssertTrue(decide(history).fullReason?.contains("no earlier snapshot") ?? false)
        try snapshot(history, id: "20270115T080000Z-000001", age: 3600, serverManifest: false)
        XCTAssertNil(decide(history).base, "a snapshot without a server manifest cannot be a parent")
        XCTAssertNil(decide(history, .configured).fullReason, "without backup.incremental snapshots are just full")
        XCTAssertNil(decide(history, .full, settings: IncrementalSettings()).fullReason)
    }

    func testTheNewestSnapshotOfTheSameHistoryIsTheParent() throws {
        let history = try InMemoryHistory(now: now)
        let full = try snapshot(history, id: "20270115T070000Z-000001", age: 7200)
        let first = try snapshot(history, id: "20270115T080000Z-000002", age: 3600, parent: full)
        let base = try XCTUnwrap(decide(history, .configured, settings: IncrementalSettings()).base)
        XCTAssertEqual(base.parent.id, first.id)
        XCTAssertEqual(base.chain, [full.id, first.id])
        XCTAssertEqual(base.since.description, first.server.startLsn)
        XCTAssertEqual(base.parentManifestSha256, try history.catalog.sealedManifest(first.id).sha256)
        try snapshot(history, id: "20270115T090000Z-000003", age: 1800, system: "1")
        XCTAssertNil(decide(history).base, "the newest snapshot belongs to another system")
    }

    func testLimitsMakeAFull() throws {
        let history = try InMemoryHistory(now: now)
        let full = try snapshot(history, id: "20270110T070000Z-000001", age: 3 * 86400)
        let first = try snapshot(history, id: "20270115T080000Z-000002", age: 3600, parent: full)
        let chained = decide(history, settings: IncrementalSettings(fullEvery: 7 * 86400, maxChain: 1))
        XCTAssertNil(chained.base)
        XCTAssertTrue(chained.fullReason?.contains("max_chain 1") ?? false, chained.fullReason ?? "-")
        let aged = decide(history, settings: IncrementalSettings(fullEvery: 2 * 86400, maxChain: 5))
        XCTAssertTrue(aged.fullReason?.contains("full_every 2d") ?? false, aged.fullReason ?? "-")
        XCTAssertEqual(decide(history, settings: IncrementalSettings(maxChain: 2)).base?.parent.id, first.id)
    }

    func testPageLSNSkipsWALSummaryParentsAndABrokenChainIsAFull() throws {
        let history = try InMemoryHistory(now: now)
        let full = try snapshot(history, id: "20270115T070000Z-000001", age: 7200)
        try snapshot(history, id: "20270115T080000Z-000002", age: 3600, parent: full, method: .walSummary)
        XCTAssertEqual(decide(history, pageLSNOnly: true).base?.parent.id, full.id)
        XCTAssertEqual(decide(history).base?.parent.id.rawValue, "20270115T080000Z-000002")
        try snapshot(
            history, id: "20270115T090000Z-000003", age: 1800, parent: full,
            parentSha: String(repeating: "0", count: 64))
        let broken = decide(history)
        XCTAssertNil(broken.base)
        XCTAssertTrue(broken.fullReason?.contains("does not verify") ?? false, broken.fullReason ?? "-")
    }

    func testWithinOneSecondTheLatestStartWins() throws {
        let history = try InMemoryHistory(now: now)
        try snapshot(history, id: "20270115T080000Z-ffffff", age: 10)
        let later = try snapshot(history, id: "20270115T080000Z-000001", age: 9)
        XCTAssertEqual(decide(history).base?.parent.id, later.id)
    }

    /// `latest`, `list` and every "oldest first" view order one second's backups by their start, not by the random
    /// suffix of their ids (which here sorts the later backup first).
    func testTheCatalogOrdersOneSecondsBackupsByTheirStart() throws {
        let history = try InMemoryHistory(now: now)
        let earlier = try snapshot(history, id: "20270115T080000Z-ffffff", age: 10)
        let later = try snapshot(history, id: "20270115T080000Z-000001", age: 9)
        XCTAssertEqual(try history.catalog.resolve("latest").id, later.id)
        XCTAssertEqual(try history.catalog.resolve("latest", kind: .snapshot).id, later.id)
        XCTAssertEqual(try history.catalog.manifests().map(\.id), [earlier.id, later.id])
        XCTAssertEqual(try ChainInventory.read(history.catalog).manifests.map(\.id), [earlier.id, later.id])
    }
}
