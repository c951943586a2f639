// RPOStatusCheck: `lifeboat status` as one engine step. The newest recoverable point is the end of the newest
// recoverable window of the WAL archive (the archived time of its last segment), or the finish time of the newest
// logical backup when that is newer (or there is no WAL archive). The verdict: passed when the exposure is within
// the objective, objective not met when it exceeds it, failed when nothing at all is recoverable.
import Catalog
import Foundation

public struct RPOStatusCheck {
    let context: EngineContext
    let catalog: BackupCatalog
    let policies: PolicySource

    /// What status found, and what it read on the way (the repository size metrics come from it).
    public struct Result: Sendable {
        public var status: RPOStatus
        public var exposure: RPOExposure
        public var manifests: [BackupManifest]
        /// Bytes the cluster's WAL archive takes in the repository.
        public var walStoredBytes: Int64
        /// Backups a restore of the newest snapshot reads (1 for a full, 0 without a snapshot): a chain that keeps
        /// growing means fulls stopped being taken.
        public var newestSnapshotChainLength = 0
        /// Incrementals whose chain does not authenticate (docs/format.md §6.5): listed, but not restorable.
        public var brokenChains = 0
        public var verdict: Verdict {
            exposure.newestRecoverablePoint == nil ? .failed : exposure.met ? .passed : .objectiveNotMet
        }
    }

    public init(context: EngineContext, catalog: BackupCatalog, policies: PolicySource) {
        self.context = context
        self.catalog = catalog
        self.policies = policies
    }

    /// `rpo` is --rpo in seconds, `instant` --now; nil means the policy's objective and the clock.
    public func run(rpo: Double?, at instant: Date?) throws -> Result {
        let chains = try ChainInventory.read(catalog)
        let manifests = chains.manifests
        // An incremental whose chain is broken restores nothing: it starts no recoverable window.
        let wal = try WALInventoryReader(context: context, repository: catalog.repository, keyring: catalog.keyring)
            .inventory(manifests: chains.restorable)
        let now = instant ?? context.now()
        let (objective, objectiveSource) = try self.objective(rpo)
        let logical = manifests.filter { $0.kind == .logical }.max { $0.finishedAt < $1.finishedAt }
        let window = wal.report.newestWindow
        let receiver = try WALReceiverLag.read(
            repository: catalog.repository, keyring: catalog.keyring, cluster: context.config.cluster, now: now)
        // The receiver's partial continues the archive's newest window: a restore reaches its caught-up time.
        let streamed = window.flatMap { receiver?.1.recoverablePoint(continuing: $0, segmentSize: wal.segmentSize) }
        let exposure = RPOExposure.evaluate(
            newestWindowEnd: streamed ?? window?.toTime,
            newestStandaloneBackup: logical?.finishedAt, now: now, objective: objective)
        let state = exposure.newestRecoverablePoint == nil ? "nothing_recoverable" : exposure.met ? "ok" : "exceeded"
        let status = RPOStatus(
            cluster: context.config.cluster, now: now, objectiveSeconds: objective,
            objectiveSource: objectiveSource,
            newestRecoverablePoint: exposure.newestRecoverablePoint,
            source: exposure.source?.rawValue, exposureSeconds: exposure.exposureSeconds,
            status: state, recoveryWindow: window,
            newestBackup: exposure.source == .backup ? logical?.id.rawValue : window?.fromBackup,
            walAsync: asyncQueue(now: now), receiver: receiver?.0)
        var result = Result(status: status, exposure: exposure, manifests: manifests, walStoredBytes: wal.storedBytes)
        if let newest = manifests.filter({ $0.kind == .snapshot }).max(by: { $0.finishedAt < $1.finishedAt }) {
            result.newestSnapshotChainLength = chains.state(of: newest.id).length
        }
        result.brokenChains = chains.broken.count
        return result
    }

    /// The asynchronous archiving queue, when wal.async is configured (read from the local spool).
    func asyncQueue(now: Date) -> WALAsyncStatus? {
        let wal = context.config.wal
        guard wal.async, let root = wal.spoolDir else { return nil }
        return WALAsyncSpool(root: root, cluster: context.config.cluster).inspect(now: now)
    }

    /// --rpo, else the policy's objectives.rpo, else 15 minutes (the default objective).
    func objective(_ rpo: Double?) throws -> (Double, String) {
        if let rpo { return (rpo, "--rpo") }
        if let policy = try policies.policyIfConfigured(), let seconds = policy.objectives.rpo {
            return (seconds, "policy \(policy.name)")
        }
        return (900, "default")
    }
}
