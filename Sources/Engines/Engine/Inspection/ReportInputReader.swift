// ReportInputReader: gathers a compliance report's facts from the repository — manifests (with a listing to
// count sealed objects), failed runs (leftover directories, and leftovers earlier prunes removed, from the
// prune journal), the WAL archive's recoverable points and gaps, drill evidence, and whether the store offers
// Object Lock. Reads only: a report never changes the repository.
import Catalog
import Drills
import Foundation
import Policy
import Reports
import Retention
import Storage

public struct ReportInputReader {
    let context: EngineContext
    let catalog: BackupCatalog
    let policy: RetentionPolicy?

    public init(context: EngineContext, catalog: BackupCatalog, policy: RetentionPolicy?) {
        self.context = context
        self.catalog = catalog
        self.policy = policy
    }

    public func read(since: Date, until: Date, now: Date) throws -> ReportInput {
        let directories = try BackupDirectories.list(catalog.repository.store, cluster: catalog.cluster)
        let chains = try ChainInventory.read(catalog)
        let backups = chains.manifests.map { backup($0, directories, chain: chains.state(of: $0.id)) }
        // An incremental whose chain is broken restores nothing: it starts no recoverable window.
        let inventory = try WALInventoryReader(
            context: context, repository: catalog.repository, keyring: catalog.keyring
        )
        .inventory(manifests: chains.restorable)
        return ReportInput(
            cluster: catalog.cluster, repository: catalog.repository.location, policy: policy, since: since,
            until: until,
            now: now, backups: backups, failedRuns: try failedRuns(directories),
            recoverablePoints: recoverablePoints(inventory),
            walGaps: gaps(inventory), drills: try DrillRunner.evidence(catalog),
            objectLockAvailable: objectLockAvailable(),
            repositoryCreated: try catalog.repository.descriptor().created)
    }

    func backup(_ manifest: BackupManifest, _ directories: BackupDirectories, chain: ChainState) -> ReportBackup {
        let listed = directories.objects[manifest.id] ?? [:]
        let expected = manifest.objects.map(\.name) + [RepositoryLayout.manifestName]
        let present = expected.filter { listed[$0] != nil }
        return ReportBackup(
            id: manifest.id.rawValue, kind: manifest.kind, startedAt: manifest.startedAt,
            finishedAt: manifest.finishedAt,
            storedBytes: manifest.storedBytes, encryption: manifest.encryption.algorithm,
            keyId: manifest.encryption.keyId,
            objects: expected.count,
            sealedObjects: present.filter { $0.hasSuffix(RepositoryLayout.sealedExtension) }.count,
            objectLockUntil: manifest.objectLock?.retainUntil, storageClass: directories.dataStorageClass(manifest.id),
            pinned: manifest.pinned, incremental: chain.isIncremental, chainBroken: chain.broken)
    }

    /// Leftovers in the repository now, plus the leftovers earlier prunes recorded and removed.
    func failedRuns(_ directories: BackupDirectories) throws -> [ReportFailedRun] {
        var runs: [String: ReportFailedRun] = [:]
        for id in directories.ids where !directories.isComplete(id) {
            let kind: BackupKind =
                (directories.objects[id]?.keys.contains { $0.hasPrefix("base.") } ?? false) ? .snapshot : .logical
            runs[id.rawValue] = ReportFailedRun(
                id: id.rawValue, kind: kind, startedAt: id.timestamp, evidence: "leftover in the repository")
        }
        let pruner = Pruner(
            context: context, catalog: catalog, policy: policy ?? RetentionPolicy(name: "none", sourcePath: ""))
        for record in try pruner.records() {
            for decision in record.plan.backups
            where !decision.complete && decision.action == .expire && runs[decision.id] == nil {
                runs[decision.id] = ReportFailedRun(
                    id: decision.id, kind: decision.kind, startedAt: decision.startedAt,
                    evidence: "removed by prune \(record.id)")
            }
        }
        return runs.values.sorted { $0.startedAt < $1.startedAt }
    }

    /// Archived times of the segments inside recoverable windows: each is a point a restore can reach.
    func recoverablePoints(_ inventory: WALInventory) -> [Date] {
        var points: [Date] = []
        for window in inventory.report.windows {
            points += inventory.files.filter { file in
                file.name.kind == .segment && file.name.timeline == window.timeline
                    && file.name.rawValue >= window.fromWal && file.name.rawValue <= window.toWal
            }.map(\.archivedAt)
        }
        return points.sorted()
    }

    /// Each gap with the archived times around it: no point in between can be restored.
    func gaps(_ inventory: WALInventory) -> [ReportWALGap] {
        inventory.report.gaps.compactMap { gap in
            let timeline = inventory.files.filter { $0.name.timeline == gap.timeline && $0.name.kind == .segment }
            guard let before = timeline.last(where: { $0.name.rawValue < gap.first }),
                let after = timeline.first(where: { $0.name.rawValue > gap.last })
            else { return nil }
            return ReportWALGap(
                timeline: gap.timeline, first: gap.first, last: gap.last, segments: gap.segments,
                from: before.archivedAt, to: after.archivedAt)
        }
    }

    func objectLockAvailable() -> Bool {
        guard let bucket = catalog.repository.store.bucket(for: .objectLock) else { return false }
        return (try? bucket.objectLockEnabled()) ?? false
    }
}
