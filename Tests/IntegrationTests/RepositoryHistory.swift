// RepositoryHistory: writes a constructed history into a real (initialised, encrypted) repository — backups
// with chosen dates, leftovers of failed runs, archived WAL with chosen archive times, drill evidence — through
// the same Engine code the binary uses, so `lifeboat report` can be tested on months of history in seconds.
// Everything written is sealed and authenticates like the real thing; only the clock is made up.
import Catalog
import Configuration
import Drills
import Engine
import Foundation
import Storage
import XCTest

final class RepositoryHistory {
    let catalog: BackupCatalog
    let repositoryRoot: String
    let cluster: String
    private var segment: UInt64 = 1

    /// `cluster` is the one written to (default "main"); a repository can hold several (fleet tests).
    init(configPath: String, repositoryRoot: String, cluster: String = "main") throws {
        self.cluster = cluster
        let config = try ConfigLoader.load(path: configPath)
        let repository = try Repository.open(config.repository, environment: [:])
        let keyring = try repository.unlock(try Credential.load(config.encryption, environment: [:]))
        catalog = BackupCatalog(repository: repository, keyring: keyring, cluster: cluster)
        self.repositoryRoot = repositoryRoot
    }

    static let segmentSize: UInt64 = 16 << 20

    static func walName(_ number: UInt64, timeline: UInt32 = 1) -> String {
        String(format: "%08X%08X%08X", timeline, UInt32(number / 256), UInt32(number % 256))
    }

    /// Archives the next WAL segment at `at` (its record's modification time is what listings report).
    @discardableResult
    func archiveSegment(at: Date) throws -> String {
        let name = Self.walName(segment)
        segment += 1
        try writeWAL(name, at: at)
        return name
    }

    /// Skips `count` segments: a gap in the archive.
    func skipSegments(_ count: UInt64) { segment += count }

    func writeWAL(_ text: String, at: Date) throws {
        let name = try XCTUnwrap(WALName(text))
        let record = WALFileRecord(
            cluster: cluster, name: text, size: Int64(Self.segmentSize), sha256: String(repeating: "0", count: 64),
            systemIdentifier: "7000000000000000001", compression: CompressionInfo(algorithm: "zstd", level: 3),
            archivedAt: at, tool: ToolInfo(name: "lifeboat", version: "test", host: "history"))
        // Version 1: the legacy object name.
        let objectKey = try ObjectKey(RepositoryLayout.walObject(cluster: cluster, object: .legacy(name)))
        try catalog.repository.putSealed(objectKey, bytes: Array("segment \(text)".utf8), with: catalog.keyring.current)
        let recordKey = try ObjectKey(RepositoryLayout.walRecord(cluster: cluster, name: name))
        try catalog.repository.putSealed(
            recordKey, bytes: Array(try CatalogCoding.encoder().encode(record)), with: catalog.keyring.current)
        try setModified(recordKey, at)
        try setModified(objectKey, at)
    }

    /// A complete snapshot started at `at`, taking 20 minutes; its WAL span is the current segment.
    @discardableResult
    func snapshot(at: Date) throws -> BackupID {
        let id = BackupID.generate(at: at)
        let object = try dataObject(id, name: "base.tar.zst.lbx")
        var manifest = manifest(id, kind: .snapshot, at: at, objects: [object])
        let wal = Self.walName(max(segment - 1, 1))
        manifest.snapshot = SnapshotRecord(
            object: object.name, entry: "base.tar", format: "pg_basebackup-tar", timeline: 1,
            walSegmentSize: Int64(Self.segmentSize), startWal: wal, stopWal: wal)
        try catalog.commit(manifest)
        try setModified(try ObjectKey(RepositoryLayout.manifest(cluster: cluster, id: id)), manifest.finishedAt)
        return id
    }

    /// A failed run: its data object and no manifest.
    func leftover(at: Date, kind: BackupKind) throws {
        _ = try dataObject(
            BackupID.generate(at: at), name: kind == .snapshot ? "base.tar.zst.lbx" : "db-0001.tar.zst.lbx")
    }

    func drill(
        _ name: String, at: Date, backup: BackupID, rto: Double, rpo: Double, verdict: DrillVerdict, reasons: [String]
    ) throws {
        let evidence = DrillEvidence(
            id: BackupID.generate(at: at).rawValue, drill: name, definitionPath: "/etc/lifeboat/drills/\(name).yml",
            definitionDigest: String(repeating: "ab", count: 32), cluster: cluster,
            tool: ToolInfo(name: "lifeboat", version: "test", host: "history"),
            incidentAt: at, startedAt: at, finishedAt: at.addingTimeInterval(rto), target: "scratch cluster",
            backup: DrillBackupRecord(
                id: backup.rawValue, kind: .snapshot, finishedAt: at.addingTimeInterval(-3600), selection: "latest"),
            recoveryPoint: RecoveryPointRecord(at: at.addingTimeInterval(-rpo), method: .heartbeat),
            checks: [
                CheckOutcome(
                    name: "amcheck postgres", kind: .amcheck, passed: verdict == .passed, detail: "test", seconds: 1)
            ],
            phases: [
                PhaseTiming(name: "restore", seconds: rto / 2), PhaseTiming(name: "wal_replay", seconds: rto / 2),
            ],
            rtoSeconds: rto, rpoSeconds: rpo,
            objectives: ObjectivesRecord(rpoSeconds: 7200, rtoSeconds: 3600, rpoSource: "policy", rtoSource: "policy"),
            cadenceSeconds: 182 * 86_400, verdict: verdict, reasons: reasons)
        let key = try ObjectKey(RepositoryLayout.drillRecord(cluster: cluster, id: evidence.id))
        try catalog.repository.putSealed(
            key, bytes: Array(try CatalogCoding.encoder().encode(evidence)), with: catalog.keyring.current)
    }

    // MARK: - helpers

    func dataObject(_ id: BackupID, name: String) throws -> StoredObject {
        let key = try ObjectKey(RepositoryLayout.object(cluster: cluster, id: id, name: name))
        let bytes = Array("data of \(id)".utf8)
        try catalog.repository.putSealed(key, bytes: bytes, with: catalog.keyring.current)
        let size = try XCTUnwrap(try catalog.repository.store.head(key)).size
        return StoredObject(
            name: name, storedSize: size, sha256: String(repeating: "0", count: 64), contentSize: Int64(bytes.count))
    }

    func manifest(_ id: BackupID, kind: BackupKind, at: Date, objects: [StoredObject]) -> BackupManifest {
        BackupManifest(
            id: id, cluster: cluster, kind: kind, label: nil, startedAt: at, finishedAt: at.addingTimeInterval(1200),
            pinned: false,
            keepUntil: nil, tool: ToolInfo(name: "lifeboat", version: "test", host: "history"),
            server: ServerInfo(
                version: "15", versionNumber: 150000, systemIdentifier: "7000000000000000001", timeline: 1,
                startLsn: "0/1000000", stopLsn: "0/1000100"),
            compression: CompressionInfo(algorithm: "zstd", level: 3),
            encryption: EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: catalog.keyring.currentKeyId),
            objects: objects, databases: [], globals: nil)
    }

    func setModified(_ key: ObjectKey, _ date: Date) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: date], ofItemAtPath: repositoryRoot + "/" + key.rawValue)
    }
}
