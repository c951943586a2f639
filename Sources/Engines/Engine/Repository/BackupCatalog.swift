// BackupCatalog: the complete backups of a cluster, read from their sealed manifests. A backup is listed
// exactly when its manifest exists and authenticates; leftovers of failed runs have no manifest.
import Catalog
import Cipher
import Diagnostics
import Foundation
import Storage

public struct BackupCatalog {
    public let repository: Repository
    public let keyring: Keyring
    public let cluster: String

    public init(repository: Repository, keyring: Keyring, cluster: String) {
        self.repository = repository
        self.keyring = keyring
        self.cluster = cluster
    }

    public func backupIDs() throws -> [BackupID] {
        let keys = try repository.store.list(prefix: RepositoryLayout.clusterBackups(cluster)).map(\.key.rawValue)
        return RepositoryLayout.completedBackups(in: keys, cluster: cluster)
    }

    /// Every complete backup, oldest first (`BackupManifest.chronologically`). A manifest that fails
    /// authentication is an integrity error.
    public func manifests() throws -> [BackupManifest] {
        try backupIDs().map { try manifest($0) }.sorted(by: BackupManifest.chronologically)
    }

    /// The newest backup that `accept` takes, reading manifests from the newest id back and stopping at the
    /// first second older than a match: ids order backups only by the second they started in, so every backup of
    /// that second is read and the latest `started_at` wins.
    public func newest(where accept: (BackupManifest) -> Bool) throws -> BackupManifest? {
        var newest: BackupManifest?
        for id in try backupIDs().reversed() {
            if let newest, id.second < newest.id.second { break }
            let manifest = try manifest(id)
            guard accept(manifest) else { continue }
            if newest.map({ BackupManifest.chronologically($0, manifest) }) ?? true { newest = manifest }
        }
        return newest
    }

    public func manifest(_ id: BackupID) throws -> BackupManifest {
        try sealedManifest(id).manifest
    }

    /// A manifest and the hex SHA-256 of its object as stored: what an incremental child records of its parent
    /// (docs/format.md §6.5), so a parent swapped for another valid manifest is caught.
    public func sealedManifest(_ id: BackupID) throws -> (manifest: BackupManifest, sha256: String) {
        let key = try ObjectKey(RepositoryLayout.manifest(cluster: cluster, id: id))
        let sealed: [UInt8]
        do {
            sealed = try repository.store.get(key)
        } catch StoreError.notFound {
            throw EngineError.backupNotFound(id.rawValue)
        }
        let bytes = try repository.openSealed(sealed, key: key, lookup: keyring.lookup)
        let manifest: BackupManifest
        do {
            manifest = try CatalogCoding.decoder().decode(BackupManifest.self, from: Data(bytes))
        } catch {
            throw EngineError.manifestMismatch(key: key.rawValue, detail: "it does not decode as a manifest")
        }
        try Self.check(manifest, id: id, cluster: cluster, key: key)
        return (manifest, try Self.sha256(sealed))
    }

    private static func check(_ manifest: BackupManifest, id: BackupID, cluster: String, key: ObjectKey) throws {
        // A newer Lifeboat's manifest may mean things this one cannot restore correctly (an incremental read as a
        // full would restore its deltas as files): refuse it rather than guess.
        guard manifest.formatVersion <= BackupManifest.newestReadableFormatVersion else {
            throw EngineError.manifestMismatch(
                key: key.rawValue,
                detail: "it has format version \(manifest.formatVersion), newer than this lifeboat reads "
                    + "(\(BackupManifest.newestReadableFormatVersion)); use a newer lifeboat")
        }
        // A manifest copied into another backup's directory authenticates but names a different backup.
        guard manifest.id == id, manifest.cluster == cluster else {
            throw EngineError.manifestMismatch(
                key: key.rawValue, detail: "it describes backup '\(manifest.id)' of cluster '\(manifest.cluster)'")
        }
    }

    private static func sha256(_ bytes: [UInt8]) throws -> String {
        let hasher = try SHA256Hasher()
        hasher.update(bytes)
        return Hex.encode(hasher.finalize())
    }

    /// Resolves "latest" or a backup id to a manifest.
    public func resolve(_ reference: String) throws -> BackupManifest {
        if reference == "latest" {
            guard let newest = try newest(where: { _ in true }) else {
                throw EngineError.noBackups(cluster: cluster, kind: nil)
            }
            return newest
        }
        guard let id = BackupID(reference) else { throw EngineError.backupNotFound(reference) }
        return try manifest(id)
    }

    /// Storage class of every stored object, per backup, from one listing ("local" where the store has none).
    public func storageClasses() throws -> [BackupID: [String: String]] {
        try BackupDirectories.list(repository.store, cluster: cluster).objects.mapValues { objects in
            objects.mapValues { $0.storageClass ?? "local" }
        }
    }

    /// The pin record of a backup, nil when none was written after the backup (its manifest's pin counts).
    public func pinRecord(_ id: BackupID) throws -> PinRecord? {
        let key = try ObjectKey(RepositoryLayout.pinRecord(cluster: cluster, id: id))
        let bytes: [UInt8]
        do {
            bytes = try repository.getSealed(key, lookup: keyring.lookup)
        } catch StoreError.notFound {
            return nil
        }
        guard let record = try? CatalogCoding.decoder().decode(PinRecord.self, from: Data(bytes)),
            record.backup == id, record.cluster == cluster
        else {
            throw EngineError.manifestMismatch(
                key: key.rawValue, detail: "it is not the pin record of backup '\(id)' of cluster '\(cluster)'")
        }
        return record
    }

    /// The pin that counts: the pin record's when there is one, else the manifest's.
    public func effectivePin(_ manifest: BackupManifest) throws -> EffectivePin {
        EffectivePin(manifest: manifest, record: try pinRecord(manifest.id))
    }

    /// Writes (pin) or rewrites (unpin: `pinned` false, no date) the pin record; callers hold the cluster lock.
    public func writePinRecord(_ record: PinRecord) throws {
        let key = try ObjectKey(RepositoryLayout.pinRecord(cluster: cluster, id: record.backup))
        try Failpoint.hit("pin.record.before")
        try repository.putSealedRecord(record, at: key, with: keyring.current)
        try Failpoint.hit("pin.record.after")
    }

    /// Resolves "latest" to the newest backup of `kind`, or checks that a named backup is of that kind.
    public func resolve(_ reference: String, kind: BackupKind) throws -> BackupManifest {
        guard reference == "latest" else {
            let manifest = try resolve(reference)
            guard manifest.kind == kind else {
                throw EngineError.wrongBackupKind(id: manifest.id.rawValue, kind: manifest.kind.rawValue)
            }
            return manifest
        }
        guard let newest = try newest(where: { $0.kind == kind }) else {
            throw EngineError.noBackups(cluster: cluster, kind: kind.rawValue)
        }
        return newest
    }

    public func commit(_ manifest: BackupManifest) throws {
        let key = try ObjectKey(RepositoryLayout.manifest(cluster: cluster, id: manifest.id))
        try repository.putSealedRecord(manifest, at: key, with: keyring.current)
    }
}
