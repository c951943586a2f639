// InMemoryHistory: a real, encrypted repository on a MemoryStore, with backups whose objects are sealed tar
// streams written by the same pipeline a backup uses and whose manifests are committed through the catalog, so
// engine steps (verification, status) can be tested without PostgreSQL, files or a network. Only the database
// dump is made up.
import ArchiveIO
import Configuration
import Foundation
import Logging
import Pipeline
import Storage
import XCTest

@testable import Engine

final class InMemoryHistory {
    let store = MemoryStore()
    let catalog: BackupCatalog
    let context: EngineContext
    let cluster = "main"

    /// `now` is the clock engines see; backups are dated relative to it. `configuration` adds top-level YAML keys
    /// to the minimal configuration every history has.
    init(now: Date = Date(), configuration extra: String = "") throws {
        let config = try ConfigLoader.parse(
            yaml: """
                cluster: main
                postgres:
                  url: "postgresql://postgres@127.0.0.1:1/postgres"
                repository:
                  url: "file:///nonexistent/lifeboat-engine-tests"
                encryption:
                  key_file: /nonexistent/lifeboat-engine-tests.key
                \(extra)
                """, sourcePath: "/nonexistent/lifeboat.yml")
        let repository = Repository(store: store)
        let credential = Credential.keyFile(path: "memory", key: Array(repeating: 7, count: 32))
        _ = try Repository.initialize(repository, credential: credential, now: now)
        catalog = BackupCatalog(repository: repository, keyring: try repository.unlock(credential), cluster: cluster)
        context = EngineContext(
            config: config, logger: Logger(label: "engine-tests"),
            progress: ProgressReporter(enabled: false), environment: [:], now: { now })
    }

    var policies: PolicySource { PolicySource(config: context.config, logger: context.logger, command: "test") }

    /// The catalog of another cluster in the same repository (fleet views read several).
    func catalog(for cluster: String) -> BackupCatalog {
        BackupCatalog(repository: catalog.repository, keyring: catalog.keyring, cluster: cluster)
    }

    /// A complete logical backup finished at `finishedAt`, one database dump of `content` in one sealed object,
    /// of `cluster` (default: the configured "main").
    @discardableResult
    func logicalBackup(
        finishedAt: Date, content: [UInt8] = Array("a pg_dump archive".utf8),
        cluster: String? = nil
    ) throws -> BackupManifest {
        let cluster = cluster ?? self.cluster
        let id = BackupID.generate(at: finishedAt.addingTimeInterval(-60))
        let name = RepositoryLayout.databaseObjectName(index: 1, compressed: true)
        let object = try sealedObject(id, name: name, entry: "shop.dump", content: content, cluster: cluster)
        let manifest = self.manifest(
            id, cluster: cluster, kind: .logical, finishedAt: finishedAt, duration: 60,
            server: ServerInfo(
                version: "15", versionNumber: 150000, systemIdentifier: nil, timeline: nil,
                startLsn: "0/1000000", stopLsn: nil),
            objects: [object],
            databases: [DatabaseRecord(name: "shop", object: name, dumpFormat: "pg_dump-custom", tables: [])])
        try catalog(for: cluster).commit(manifest)
        return manifest
    }

    /// A manifest as the backups of this repository write it: by the tool "test" on host "memory", zstd 3,
    /// sealed with the current key, started `duration` seconds before `finishedAt`, neither pinned nor labelled.
    func manifest(
        _ id: BackupID, cluster: String, kind: BackupKind, finishedAt: Date, duration: TimeInterval,
        server: ServerInfo, objects: [StoredObject], databases: [DatabaseRecord] = []
    ) -> BackupManifest {
        BackupManifest(
            id: id, cluster: cluster, kind: kind, label: nil, startedAt: finishedAt.addingTimeInterval(-duration),
            finishedAt: finishedAt, pinned: false, keepUntil: nil,
            tool: ToolInfo(name: "lifeboat", version: "test", host: "memory"), server: server,
            compression: CompressionInfo(algorithm: "zstd", level: 3),
            encryption: EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: catalog.keyring.currentKeyId),
            objects: objects, databases: databases, globals: nil)
    }

    /// One tar entry, compressed and sealed by SealedObjectWriter, as backups store their objects.
    func sealedObject(
        _ id: BackupID, name: String, entry: String, content: [UInt8],
        cluster: String? = nil
    ) throws -> StoredObject {
        let key = try ObjectKey(RepositoryLayout.object(cluster: cluster ?? self.cluster, id: id, name: name))
        let writer = try SealedObjectWriter(
            store: store, key: key, sealingKey: catalog.keyring.current,
            compression: .zstd, level: 3)
        try writer.tar.beginEntry(name: entry, size: Int64(content.count))
        try content.withUnsafeBytes { try writer.tar.write($0) }
        try writer.tar.finishEntry()
        let committed = try writer.commit()
        return StoredObject(
            name: name, storedSize: committed.storedSize, sha256: committed.sha256,
            contentSize: committed.contentSize)
    }

    func objectKey(_ manifest: BackupManifest, _ index: Int = 0) throws -> ObjectKey {
        try ObjectKey(RepositoryLayout.object(cluster: cluster, id: manifest.id, name: manifest.objects[index].name))
    }

    /// Flips one byte in the middle of a stored object, as bit rot or tampering would.
    func tamper(_ key: ObjectKey) throws {
        var bytes = try store.get(key)
        bytes[bytes.count / 2] ^= 0x40
        try store.put(key, data: bytes)
    }
}
