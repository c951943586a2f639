// SnapshotChoice: which snapshot a physical restore uses — the newest one finished before the recovery target,
// or the one named, which must have finished before it.
import Catalog

struct SnapshotChoice {
    let catalog: BackupCatalog
    let request: PhysicalRestoreRequest

    /// A restore point carries no time Lifeboat can see (it is a WAL record), so --to-name puts no bound on the
    /// snapshot: the newest one is used, and recovery reports a point it never reached (recoveryTargetMissed).
    func manifest() throws -> BackupManifest {
        if request.reference != "latest" {
            let manifest = try catalog.resolve(request.reference)
            try check(manifest)
            return manifest
        }
        let snapshots = try catalog.manifests().filter { $0.kind == .snapshot && $0.snapshot != nil }
        guard let chosen = snapshots.filter(qualifies).max(by: { $0.finishedAt < $1.finishedAt }) else {
            let target =
                request.toTime.map { "finished before \(CatalogCoding.formatTimestamp($0))" }
                ?? request.toLSN.map { "ending before WAL position \($0)" } ?? "at all"
            throw SnapshotError.noSnapshot(cluster: catalog.cluster, target: target)
        }
        return chosen
    }

    /// A snapshot named (or selected by a drill) must be one, and must have finished before the target.
    func check(_ manifest: BackupManifest) throws {
        guard manifest.kind == .snapshot, manifest.snapshot != nil else {
            throw SnapshotError.notASnapshot(manifest.id.rawValue)
        }
        guard qualifies(manifest) else {
            throw SnapshotError.noSnapshot(
                cluster: catalog.cluster,
                target: "'\(manifest.id)' that finished before the target")
        }
    }

    func qualifies(_ manifest: BackupManifest) -> Bool {
        if let time = request.toTime, manifest.finishedAt >= time { return false }
        if let lsn = request.toLSN {
            guard let stop = manifest.server.stopLsn.flatMap(LSN.init), stop <= lsn else { return false }
        }
        return true
    }
}
