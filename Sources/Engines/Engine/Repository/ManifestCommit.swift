// ManifestCommit: the commit point of a backup (docs/format.md §6.3). Writing the manifest makes the backup
// listed; from the moment that PUT starts the manifest may exist, so the run's objects are frozen against
// cleanup first (an interrupt or an error from then on must never delete the data of a listed backup).
// A PUT that fails does not say whether the manifest was stored: a rename that happened before a failed
// directory fsync, an S3 PUT whose answer was lost. The outcome is settled by reading the manifest back:
// - it is there and equal to ours: committed, the run succeeds;
// - it is definitely absent: not committed, the objects are released to the run's cleanup;
// - it cannot be read either: unknown, the objects stay (prune removes them if no manifest ever appears).
import Catalog
import Diagnostics
import Foundation
import Storage

struct ManifestCommit {
    let catalog: BackupCatalog
    let written: WrittenObjects
    let logger: (String) -> Void

    enum Outcome: Equatable {
        case committed, absent, unknown
    }

    func commit(_ manifest: BackupManifest) throws {
        written.freeze()
        do {
            try Failpoint.hit("backup.manifest.before")
            try catalog.commit(manifest)
            try Failpoint.hit("backup.manifest.after")
        } catch {
            switch settle(manifest) {
            case .committed:
                logger(
                    "the manifest write reported '\(error)', but the manifest reads back complete: the backup is committed"
                )
            case .absent:
                written.thaw()
                throw error
            case .unknown:
                throw EngineError.commitUnknown(backup: manifest.id.rawValue, detail: "\(error)")
            }
        }
    }

    /// A backup run's commit: the Object Lock record stamped as of now, then the manifest committed. Returns the
    /// manifest as committed.
    static func commitBackup(
        _ manifest: BackupManifest, context: EngineContext, repository: Repository,
        keyring: Keyring, written: WrittenObjects
    ) throws -> BackupManifest {
        var manifest = manifest
        manifest.objectLock = repository.objectLockRecord(committingAt: context.now())
        let catalog = BackupCatalog(repository: repository, keyring: keyring, cluster: manifest.cluster)
        try ManifestCommit(catalog: catalog, written: written) { context.logger.warning("\($0)") }.commit(manifest)
        return manifest
    }

    /// Reads the manifest back to learn whether an interrupted commit happened.
    func settle(_ manifest: BackupManifest) -> Outcome {
        do {
            let stored = try catalog.manifest(manifest.id)
            // Compare as stored: timestamps keep the precision of the encoding, not of the Date we hold.
            let ours = try CatalogCoding.decoder().decode(
                BackupManifest.self, from: try CatalogCoding.encoder().encode(manifest))
            return stored == ours ? .committed : .unknown
        } catch EngineError.backupNotFound {
            return .absent
        } catch {
            return .unknown
        }
    }
}
