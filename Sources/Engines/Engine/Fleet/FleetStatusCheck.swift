// FleetStatusCheck: `lifeboat status --all-clusters` as one engine step — RPOStatusCheck for every cluster the
// repository holds, against one objective (--rpo, else the configured policy's, else 15m: the configuration
// names one policy and it applies to every cluster), plus each cluster's newest backups and newest drill. A
// cluster that cannot be read becomes a row with its error instead of hiding the others. The verdict is the
// worst cluster's (Verdict.worst); a repository without any cluster has nothing recoverable (failed).
import Catalog
import Foundation

public struct FleetStatusCheck {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    let policies: PolicySource

    /// `status --all-clusters --json` (docs/json.md).
    public struct Report: Encodable, Sendable {
        public var repository: String
        public var now: Date
        public var objectiveSeconds: Double
        /// "--rpo", "policy <name>" or "default": one objective for every cluster.
        public var objectiveSource: String
        /// The worst cluster's status: ok | exceeded | nothing_recoverable | error.
        public var status: String
        public var clusters: [FleetClusterStatus]
    }

    public struct Result: Sendable {
        public var report: Report
        public var verdict: Verdict
    }

    public init(context: EngineContext, repository: Repository, keyring: Keyring, policies: PolicySource) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
        self.policies = policies
    }

    /// `rpo` is --rpo in seconds, `instant` --now; nil means the policy's objective and the clock.
    public func run(rpo: Double?, at instant: Date?) throws -> Result {
        let now = instant ?? context.now()
        let (objective, source) = try RPOStatusCheck(
            context: context, catalog: catalog(context.config.cluster),
            policies: policies
        ).objective(rpo)
        let rows = try ClusterDiscovery(repository: repository).clusters().map { cluster in
            try row(cluster, objective: objective, at: now)
        }
        let verdict = rows.isEmpty ? .failed : Verdict.worst(rows.map(\.verdict))
        let worst = rows.first { $0.verdict == verdict }?.status ?? "nothing_recoverable"
        let report = Report(
            repository: repository.location, now: now, objectiveSeconds: objective,
            objectiveSource: source, status: worst, clusters: rows)
        return Result(report: report, verdict: verdict)
    }

    func row(_ cluster: String, objective: Double, at now: Date) throws -> FleetClusterStatus {
        let catalog = catalog(cluster)
        do {
            let check = RPOStatusCheck(context: context.forCluster(cluster), catalog: catalog, policies: policies)
            // The objective was settled once for the fleet; each cluster is measured against it.
            let result = try check.run(rpo: objective, at: now)
            return FleetClusterStatus(result, drills: try DrillRunner.evidence(catalog))
        } catch let error as LifeboatError {
            context.logger.error("cluster '\(cluster)': \(error.message)")
            return FleetClusterStatus(cluster: cluster, error: error)
        }
    }

    func catalog(_ cluster: String) -> BackupCatalog {
        BackupCatalog(repository: repository, keyring: keyring, cluster: cluster)
    }
}
