// BackupSeamTests: what logical backups and snapshots share around their own work — the cluster lock, the
// objects a run stored (removed when it fails), the manifest fields every kind records alike and the commit.
import ArchiveIO
import Foundation
import Pipeline
import Storage
import XCTest

@testable import Engine

final class BackupSeamTests: XCTestCase {
    func testTheClusterLockKeepsASecondWriterOutUntilReleased() throws {
        let history = try InMemoryHistory()
        let repository = history.catalog.repository
        let first = try ClusterLock(repository: repository, cluster: "main", command: "lifeboat backup")
        let refused = { try ClusterLock(repository: repository, cluster: "main", command: "lifeboat prune") }
        XCTAssertThrowsError(try refused()) { error in
            guard case StoreError.locked(let name, _)? = error as? StoreError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(name, "cluster-main")
        }
        first.release()
        first.release()
        let second = try ClusterLock(repository: repository, cluster: "main", command: "lifeboat pin")
        second.release()
        XCTAssertFalse(try history.store.exists(try ObjectKey("locks", "cluster-main.lock")))
    }

    func testAFailedRunRemovesTheObjectsItStored() throws {
        let history = try InMemoryHistory()
        let written = WrittenObjects(store: history.store)
        struct Failed: Error {}
        var key: ObjectKey?
        XCTAssertThrowsError(
            try written.removingOnFailure {
                key = try self.store(written, history, name: "db-1.tar.zst.lbx")
                throw Failed()
            })
        XCTAssertFalse(try history.store.exists(try XCTUnwrap(key)))
        XCTAssertEqual(written.storedObjects, [])
    }

    func testASucceedingRunKeepsItsObjectsAndListsThemForTheManifest() throws {
        let history = try InMemoryHistory()
        let written = WrittenObjects(store: history.store)
        let key = try written.removingOnFailure { try store(written, history, name: "db-1.tar.zst.lbx") }
        XCTAssertTrue(try history.store.exists(key))
        let listed = try XCTUnwrap(written.storedObjects.first)
        XCTAssertEqual(listed.name, "db-1.tar.zst.lbx")
        XCTAssertEqual(listed.contentSize, written.committed.first?.contentSize)
        XCTAssertEqual(listed.sha256, written.committed.first?.sha256)
    }

    func testACommittedBackupIsListedWithTheSharedFields() throws {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let history = try InMemoryHistory(now: now)
        let repository = history.catalog.repository
        let keyring = history.catalog.keyring
        let written = WrittenObjects(store: history.store)
        let id = BackupID.generate(at: now)
        _ = try store(written, history, name: "db-1.tar.zst.lbx", id: id)
        let manifest = BackupManifest(
            id: id, cluster: "main", kind: .logical, label: nil, startedAt: now, finishedAt: now, pinned: false,
            keepUntil: nil, tool: EngineContext.toolInfo,
            server: ServerInfo(
                version: "15", versionNumber: 150000, systemIdentifier: nil, timeline: nil,
                startLsn: "0/1000000", stopLsn: nil),
            compression: history.context.compressionInfo, encryption: keyring.encryptionInfo,
            objects: written.storedObjects, databases: [], globals: nil)
        let committed = try ManifestCommit.commitBackup(
            manifest, context: history.context, repository: repository,
            keyring: keyring, written: written)
        XCTAssertNil(committed.objectLock, "no Object Lock without an immutability policy")
        XCTAssertEqual(try history.catalog.manifest(id).objects, written.storedObjects)
        XCTAssertEqual(committed.tool.name, "lifeboat")
        XCTAssertEqual(committed.tool.version, EngineContext.toolVersion)
        XCTAssertEqual(committed.encryption.algorithm, "aes-256-gcm-stream-v1")
        XCTAssertEqual(committed.encryption.keyId, keyring.currentKeyId)
        XCTAssertEqual(committed.compression.algorithm, history.context.config.compression.algorithm.rawValue)
    }

    func testWaitsFromTheEnvironmentMustBePositive() throws {
        let history = try InMemoryHistory()
        func context(_ value: String) -> EngineContext {
            EngineContext(
                config: history.context.config, logger: history.context.logger,
                progress: history.context.progress, environment: ["WAIT": value])
        }
        XCTAssertEqual(context("2.5").seconds(fromEnvironment: "WAIT", default: 60), 2.5)
        XCTAssertEqual(context("0").seconds(fromEnvironment: "WAIT", default: 60), 60)
        XCTAssertEqual(context("soon").seconds(fromEnvironment: "WAIT", default: 60), 60)
        XCTAssertEqual(context("1").seconds(fromEnvironment: "OTHER", default: 60), 60)
    }

    /// Stores one sealed object through `written`, as a backup's pipeline does.
    func store(
        _ written: WrittenObjects, _ history: InMemoryHistory, name: String,
        id: BackupID = BackupID.generate(at: Date())
    ) throws -> ObjectKey {
        let key = try ObjectKey(RepositoryLayout.object(cluster: "main", id: id, name: name))
        let writer = try written.begin {
            try SealedObjectWriter(
                store: history.store, key: key, sealingKey: history.catalog.keyring.current,
                compression: .zstd, level: 3)
        }
        let content = Array("a dump".utf8)
        try writer.tar.beginEntry(name: "shop.dump", size: Int64(content.count))
        try content.withUnsafeBytes { try writer.tar.write($0) }
        try writer.tar.finishEntry()
        _ = try written.commit(writer)
        return key
    }
}
