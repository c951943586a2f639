// Pruner: `lifeboat prune`. Under the cluster lock it gathers the catalog, asks the pure planner what to keep,
// expire and move, records that plan in the repository, and only then applies it:
//   1. expired backups: the manifest first (from then on the backup is not listed and a later run sees only a
//      leftover), then its pin record and data objects;
//   2. expired WAL: each file's record first (it commits the file), then the object it names (Pruner+WAL.swift);
//   3. storage-class transitions of kept backups' data objects (metadata stays hot);
//   4. leftovers: multipart uploads nobody will complete, WAL objects no record names (pushes that died).
// Every step is idempotent, so an interrupted run is finished by the next one, which recomputes the plan.
// A deletion the store refuses (Object Lock, legal hold) is recorded as deferred, never fatal.
import Catalog
import Diagnostics
import Foundation
import Policy
import Retention
import Storage

public struct PruneOutcome: Codable, Sendable {
    public var id: String?
    public var dryRun: Bool
    public var plan: RetentionPlan
    public var result: PruneResult?
    /// Earlier runs that were interrupted and whose work this run finished.
    public var resumed: [String]
}

public struct Pruner {
    let context: EngineContext
    let catalog: BackupCatalog
    let policy: RetentionPolicy
    /// Uploads and WAL pushes younger than this may still be running on another host: left alone. A push's
    /// object is written just before its record, so an object no record names is a push in flight until then.
    static let inFlightGrace: TimeInterval = 3600

    public init(context: EngineContext, catalog: BackupCatalog, policy: RetentionPolicy) {
        self.context = context
        self.catalog = catalog
        self.policy = policy
    }

    var store: BlobStore { catalog.repository.store }
    var cluster: String { catalog.cluster }

    /// Plans (and, unless `dryRun`, applies) retention as of `now`.
    public func run(now: Date, dryRun: Bool) throws -> PruneOutcome {
        if dryRun {
            let gathered = try PlanInputReader(catalog: catalog, context: context).read()
            return PruneOutcome(
                id: nil, dryRun: true, plan: RetentionPlanner.plan(policy: policy, input: gathered.input, now: now),
                result: nil, resumed: try interruptedRuns().map(\.id))
        }
        let lock = try ClusterLock(repository: catalog.repository, cluster: cluster, command: "lifeboat prune")
        defer { lock.release() }
        let interrupted = try interruptedRuns()
        for record in interrupted {
            context.logger.warning(
                "prune \(record.id) of \(CatalogCoding.formatTimestamp(record.startedAt)) was interrupted; this run finishes its work"
            )
        }
        let gathered = try PlanInputReader(catalog: catalog, context: context).read()
        let plan = RetentionPlanner.plan(policy: policy, input: gathered.input, now: now)
        var record = PruneRecord(
            id: BackupID.generate(at: context.now()).rawValue, cluster: cluster,
            host: ProcessInfo.processInfo.hostName, startedAt: context.now(), plan: plan)
        try Failpoint.hit("prune.journal.before")
        try write(record)
        var result = PruneResult()
        try expireBackups(plan, gathered.directories, into: &result)
        let expiredWAL = try expireWAL(plan, gathered.wal, into: &result)
        try applyTransitions(plan, gathered.directories, into: &result)
        try removeLeftovers(gathered.wal, now: context.now(), expired: expiredWAL, into: &result)
        result.finishedAt = context.now()
        record.state = .done
        record.result = result
        try write(record)
        for var earlier in interrupted {
            earlier.state = .superseded
            earlier.supersededBy = record.id
            try write(earlier)
        }
        return PruneOutcome(id: record.id, dryRun: false, plan: plan, result: result, resumed: interrupted.map(\.id))
    }

    // MARK: - journal

    func write(_ record: PruneRecord) throws {
        let key = try ObjectKey(RepositoryLayout.pruneRecord(cluster: cluster, id: record.id))
        try catalog.repository.putSealedRecord(record, at: key, with: catalog.keyring.current)
    }

    /// Every prune record of the cluster, oldest first.
    public func records() throws -> [PruneRecord] {
        try store.list(prefix: RepositoryLayout.pruneRecords(cluster)).map { info in
            let record = try catalog.repository.sealedRecord(
                PruneRecord.self, at: info.key, lookup: catalog.keyring.lookup, what: "a prune record")
            guard record.cluster == cluster else {
                throw EngineError.manifestMismatch(
                    key: info.key.rawValue, detail: "it is a prune record of cluster '\(record.cluster)'")
            }
            // A record under another run's key authenticates too (same data key): two swapped or one copied would
            // count a run twice in reports, and a copy of a 'planned' record would never be superseded (the
            // next run rewrites the key its id names), so every later prune would report it as interrupted.
            guard info.key.rawValue == RepositoryLayout.pruneRecord(cluster: cluster, id: record.id) else {
                throw EngineError.manifestMismatch(
                    key: info.key.rawValue, detail: "it is the record of prune run '\(record.id)'")
            }
            return record
        }
    }

    func interruptedRuns() throws -> [PruneRecord] { try records().filter { $0.state == .planned } }

    // MARK: - steps

    func expireBackups(_ plan: RetentionPlan, _ directories: BackupDirectories, into result: inout PruneResult) throws {
        // Newest first: an incremental is always newer than its parent, so a run interrupted here never leaves a
        // kept-looking incremental whose parent is already gone (the next plan would see a broken chain).
        for decision in plan.expiredBackups.reversed() {
            guard let id = BackupID(decision.id), let objects = directories.objects[id] else { continue }
            // The manifest goes first: once it is gone the backup is no longer listed or restorable, and a run
            // interrupted after this point leaves a leftover that the next plan expires.
            // (Rank and key compared field by field: Swift 6.3.1 -O crashes (SIL verifier, signal 11) on the
            // tuple `<` inside this closure, which broke the release build.)
            let ordered = objects.values.sorted { lhs, rhs in
                let (left, right) = (order(lhs), order(rhs))
                return left.0 != right.0 ? left.0 < right.0 : left.1 < right.1
            }
            context.progress.begin("prune \(id)", total: Int64(ordered.count))
            defer { context.progress.end() }
            var refused = false
            for info in ordered {
                if try delete(info, into: &result) == false {
                    refused = true
                    if info.key.rawValue.hasSuffix("/" + RepositoryLayout.manifestName) { break }
                }
                context.progress.advance(by: 1)
            }
            if !refused { result.deletedBackups.append(id.rawValue) }
        }
    }

    /// Manifest first, then the pin record, then data objects.
    func order(_ info: BlobInfo) -> (Int, String) {
        let key = info.key.rawValue
        if key.hasSuffix("/" + RepositoryLayout.manifestName) { return (0, key) }
        if key.hasSuffix("/" + RepositoryLayout.pinRecordName) { return (1, key) }
        return (2, key)
    }

    func applyTransitions(_ plan: RetentionPlan, _ directories: BackupDirectories, into result: inout PruneResult)
        throws
    {
        let transitions = plan.transitions
        guard !transitions.isEmpty, let archival = store.archival(for: .storageClasses) else { return }
        for decision in transitions {
            guard let id = BackupID(decision.id), let target = decision.transitionTo else { continue }
            let pending = directories.dataObjects(id).filter { $0.storageClass != target }
            context.progress.begin("move \(id) to \(target)", total: Int64(pending.count))
            for info in pending {
                try archival.setStorageClass(target, for: info.key)
                context.progress.advance(by: 1)
            }
            context.progress.end()
            result.transitioned.append(.init(backup: id.rawValue, storageClass: target, objects: pending.count))
        }
    }

    func removeLeftovers(_ listing: WALListing, now: Date, expired: Set<String>, into result: inout PruneResult) throws
    {
        try removeWALLeftovers(listing, now: now, expired: expired, into: &result)
        for partial in listing.supersededPartials { _ = try delete(partial, into: &result) }
        guard let bucket = store.bucket(for: .incompleteUploads) else { return }
        let backups = RepositoryLayout.clusterBackups(cluster)
        let wal = RepositoryLayout.walCluster(cluster)
        for upload in try bucket.incompleteUploads() {
            let key = upload.key.rawValue
            // We hold the cluster lock, so no backup of this cluster is uploading; a WAL push may be.
            let stale =
                key.hasPrefix(backups)
                || (key.hasPrefix(wal)
                    && upload.initiated.map { now.timeIntervalSince($0) > Self.inFlightGrace } == true)
            guard stale else { continue }
            try bucket.abort(upload)
            result.abortedUploads += 1
        }
    }

    /// Deletes one object; false when the store refuses because of Object Lock (recorded as deferred).
    func delete(_ info: BlobInfo, into result: inout PruneResult) throws -> Bool {
        try Failpoint.hit("prune.delete.before")
        do {
            if policy.immutability != nil, let archival = store.archival(for: .versioning) {
                // With Object Lock a plain DELETE only hides the object behind a delete marker; removing the
                // versions frees the space, and the store refuses while the lock holds.
                try archival.deleteAllVersions(info.key)
            } else {
                try store.delete(info.key)
            }
        } catch let error as StoreError {
            guard case .objectLocked(_, let detail) = error else { throw error }
            result.deferred.append(.init(key: info.key.rawValue, reason: detail))
            context.logger.warning(
                "not deleted, still under Object Lock: \(info.key) (\(detail)); a later prune retries")
            return false
        }
        try Failpoint.hit("prune.delete.after")
        result.deletedObjects += 1
        result.bytesFreed += info.size
        return true
    }
}
