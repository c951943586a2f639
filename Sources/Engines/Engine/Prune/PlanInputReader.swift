// PlanInputReader: gathers what the retention planner decides on — every backup directory (complete or
// leftover) with its pin, WAL span, storage class and Object Lock date, and every archived WAL file — from two
// listings and the (authenticated) manifests and pin records.
import Catalog
import Configuration
import Foundation
import Retention
import Storage

public struct PlanInputReader {
    let catalog: BackupCatalog
    let context: EngineContext

    public init(catalog: BackupCatalog, context: EngineContext) {
        self.catalog = catalog
        self.context = context
    }

    public struct Gathered {
        public var input: PlanInput
        public var directories: BackupDirectories
        public var wal: WALListing
    }

    public func read() throws -> Gathered {
        let store = catalog.repository.store
        let directories = try BackupDirectories.list(store, cluster: catalog.cluster)
        let wal = try WALListing.list(store, cluster: catalog.cluster)
        var sealed: [(manifest: BackupManifest, sha256: String)] = []
        var backups: [PlannedBackup] = []
        for id in directories.ids {
            guard directories.isComplete(id) else {
                backups.append(
                    PlannedBackup(
                        id: id.rawValue, kind: leftoverKind(directories, id), startedAt: id.timestamp,
                        finishedAt: nil, complete: false, storageClass: directories.dataStorageClass(id),
                        storedBytes: directories.storedBytes(id)))
                continue
            }
            let read = try catalog.sealedManifest(id)
            let manifest = read.manifest
            sealed.append(read)
            let pin =
                directories.hasPinRecord(id)
                ? try catalog.effectivePin(manifest) : EffectivePin(manifest: manifest, record: nil)
            backups.append(
                PlannedBackup(
                    id: id.rawValue, kind: manifest.kind, startedAt: manifest.startedAt,
                    finishedAt: manifest.finishedAt,
                    pinned: pin.pinned, keepUntil: pin.keepUntil,
                    timeline: manifest.snapshot.map { UInt32($0.timeline) },
                    startWal: manifest.snapshot?.startWal, stopWal: manifest.snapshot?.stopWal,
                    storageClass: directories.dataStorageClass(id), lockedUntil: manifest.objectLock?.retainUntil,
                    storedBytes: directories.storedBytes(id), chain: manifest.incremental?.chain.map(\.rawValue)))
        }
        // Every chain authenticated against the manifests just read: a parent swapped for another snapshot makes
        // its incrementals unrestorable points for the planner.
        let chains = ChainInventory(sealed: sealed)
        for index in backups.indices {
            guard let id = BackupID(backups[index].id) else { continue }
            backups[index].chainBroken = chains.chains[id]?.broken
        }
        let manifests = chains.manifests
        let files = wal.committedFiles(cluster: catalog.cluster).map { file in
            PlannedWALFile(
                name: file.name.rawValue, archivedAt: file.record.modified,
                size: file.objects.reduce(file.record.size) { $0 + $1.size })
        }
        let segmentSize = try WALInventoryReader(
            context: context, repository: catalog.repository, keyring: catalog.keyring
        )
        .segmentSize(hasSystemRecord: wal.hasSystemRecord, manifests: manifests)
        let supportsClasses = store.capabilities.contains(.storageClasses)
        let input = PlanInput(
            cluster: catalog.cluster, backups: backups, wal: files, segmentSize: segmentSize,
            storageClassesSupported: supportsClasses)
        return Gathered(input: input, directories: directories, wal: wal)
    }

    /// A leftover has no manifest to say what it was; its object names do.
    func leftoverKind(_ directories: BackupDirectories, _ id: BackupID) -> BackupKind {
        let names = directories.objects[id]?.keys.map { $0 } ?? []
        return names.contains { $0.hasPrefix("base.") } ? .snapshot : .logical
    }
}
