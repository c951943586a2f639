// ChainHistory: a repository in memory holding incremental chains whose objects are real sealed snapshot objects
// (a pieced `base.tar`, and `tblspc-<oid>.tar` per tablespace, inside the object's tar: zstd, AES-256-GCM, through
// the same pipeline as backups), so chain restores run here completely, without PostgreSQL.
import ArchiveIO
import Catalog
import Foundation
import Pipeline
import Storage

@testable import Engine

final class ChainHistory {
    let repository: Repository
    let keyring: Keyring
    let catalog: BackupCatalog
    private var clock = Date().addingTimeInterval(-86_400)

    init() throws {
        repository = Repository(store: MemoryStore())
        let dataKey = try Keyring.newDataKey(now: Date())
        keyring = try Keyring(
            masterKey: Array(repeating: 7, count: 32), masterKeyId: Array(repeating: 9, count: 16),
            document: KeyringDocument(current: dataKey.id, keys: [dataKey]))
        catalog = BackupCatalog(repository: repository, keyring: keyring, cluster: "main")
    }

    /// The files every data directory needs, with `backup_label` naming `label`.
    static func baseFiles(label: String, extra: [(String, [UInt8])] = []) -> [(String, [UInt8])] {
        [
            ("backup_label", Array(label.utf8)), ("PG_VERSION", Array("15\n".utf8)),
            ("global/pg_control", [UInt8](repeating: 0xC0, count: 8192)),
        ] + extra
    }

    /// Commits a snapshot with these entries (and tablespaces, by OID); incremental when `parent` is given.
    @discardableResult
    func snapshot(
        _ files: [(String, [UInt8])], tablespaces: [UInt32: [(String, [UInt8])]] = [:], parent: BackupID? = nil,
        method: IncrementalMethod = .pageLSN
    ) throws -> BackupID {
        clock = clock.addingTimeInterval(3600)
        return try commit(
            files: { _ in files }, tablespaces: tablespaces, parent: parent, method: method, finishedAt: clock)
    }

    /// Commits a full snapshot of a server of `versionNumber` that finished at `finishedAt`, whose `backup_label`
    /// reads "snapshot <id>" (so a restore shows which one it wrote); returns its id.
    @discardableResult
    func snapshot(finishedAt: Date, versionNumber: Int = 150000) throws -> BackupID {
        try commit(
            files: { Self.baseFiles(label: "snapshot \($0)\n") }, finishedAt: finishedAt, versionNumber: versionNumber)
    }

    private func commit(
        files: (BackupID) -> [(String, [UInt8])], tablespaces: [UInt32: [(String, [UInt8])]] = [:],
        parent: BackupID? = nil, method: IncrementalMethod = .pageLSN, finishedAt: Date, versionNumber: Int = 150000
    ) throws -> BackupID {
        let id = BackupID.generate(at: finishedAt.addingTimeInterval(-600))
        var objects: [StoredObject] = []
        var records: [TablespaceRecord] = []
        for (oid, entries) in tablespaces.sorted(by: { $0.key < $1.key }) {
            let name = RepositoryLayout.tablespaceObjectName(oid: oid, compressed: true)
            let entry = RepositoryLayout.tablespaceEntryName(oid: oid)
            objects.append(try store(entries, id: id, name: name, entry: entry))
            records.append(
                TablespaceRecord(oid: oid, location: "/srv/ts\(oid)", object: name, entry: entry, size: 0))
        }
        let name = RepositoryLayout.snapshotObjectName(compressed: true)
        objects.append(try store(files(id), id: id, name: name, entry: "base.tar"))
        var manifest = BackupManifest(
            id: id, cluster: "main", kind: .snapshot, label: nil, startedAt: finishedAt.addingTimeInterval(-600),
            finishedAt: finishedAt, pinned: false, keepUntil: nil,
            tool: ToolInfo(name: "lifeboat", version: "test", host: "test"),
            server: ServerInfo(
                version: String(versionNumber / 10000), versionNumber: versionNumber,
                systemIdentifier: "7000000000000000001", timeline: 1, startLsn: "0/1000028", stopLsn: "0/1000100"),
            compression: CompressionInfo(algorithm: "zstd", level: 3),
            encryption: EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: keyring.currentKeyId),
            objects: objects, databases: [], globals: nil)
        manifest.snapshot = SnapshotRecord(
            object: name, entry: "base.tar", format: "pg_basebackup-tar", timeline: 1,
            walSegmentSize: 16 << 20, startWal: "000000010000000000000001",
            stopWal: "000000010000000000000001", tablespaces: records.isEmpty ? nil : records)
        if let parent {
            let sealed = try catalog.sealedManifest(parent)
            manifest.formatVersion = BackupManifest.incrementalFormatVersion
            manifest.snapshot?.incremental = IncrementalRecord(
                parent: parent, parentManifestSha256: sealed.sha256,
                chain: (sealed.manifest.incremental?.chain ?? []) + [parent], method: method,
                sinceLsn: sealed.manifest.server.startLsn)
        }
        try catalog.commit(manifest)
        return id
    }

    private func store(_ files: [(String, [UInt8])], id: BackupID, name: String, entry: String) throws -> StoredObject {
        let key = try ObjectKey(RepositoryLayout.object(cluster: "main", id: id, name: name))
        let writer = try SealedObjectWriter(
            store: repository.store, key: key, sealingKey: keyring.current, compression: .zstd, level: 3)
        let pieces = PiecedEntryWriter(writer: writer.tar, baseName: entry)
        try Self.tar(files).withUnsafeBytes { try pieces.write($0) }
        _ = try pieces.finish()
        let object = try writer.commit()
        return StoredObject(
            name: name, storedSize: object.storedSize, sha256: object.sha256, contentSize: object.contentSize)
    }

    /// An uncompressed tar of `files`, as the server streams a data directory.
    static func tar(_ files: [(String, [UInt8])]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        let writer = try TarWriter(compression: .none) { bytes.append(contentsOf: $0) }
        for (name, data) in files {
            try writer.beginEntry(name: name, size: Int64(data.count))
            try data.withUnsafeBytes { try writer.write($0) }
            try writer.finishEntry()
        }
        try writer.close()
        return bytes
    }
}
