// FleetReporting: `lifeboat report --all-clusters` as one engine step — each cluster's facts read as `report`
// reads them (ReportInputReader), judged against the configured policy (it applies to every cluster), the fleet
// report built from them (FleetReportBuilder) and rendered. Not compliant when any cluster is not (exit 3);
// "insufficient history" passes, as for one cluster.
import Catalog
import Foundation
import Reports

public struct FleetReporting {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    let policies: PolicySource

    /// A built fleet report and what the command says about it.
    public struct Outcome: Sendable {
        public let report: FleetReport
        public let text: String

        public var verdict: Verdict { report.verdict.status == .notCompliant ? .objectiveNotMet : .passed }
        /// "COMPLIANT", "NOT COMPLIANT" or "INSUFFICIENT HISTORY".
        public var verdictText: String { ReportSummaries.verdict(report.verdict.status) }
        /// One line per cluster that is not compliant or not yet judged.
        public var reasons: [String] { report.verdict.reasons }
        public var hasInsufficientHistory: Bool { report.verdict.status == .insufficientHistory }
        public var clusters: [String] { report.clusters.map(\.cluster) }
    }

    public init(context: EngineContext, repository: Repository, keyring: Keyring, policies: PolicySource) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
        self.policies = policies
    }

    /// The fleet report over [since, until), judged as of `now`.
    public func run(since: Date, until: Date, now: Date, format: ComplianceReporting.Format) throws -> Outcome {
        let policy = try policies.policyIfConfigured()
        let inputs = try ClusterDiscovery(repository: repository).catalogs(keyring: keyring).map { catalog in
            try ReportInputReader(context: context.forCluster(catalog.cluster), catalog: catalog, policy: policy)
                .read(since: since, until: until, now: now)
        }
        let report = FleetReportBuilder.build(
            inputs, repository: repository.location, policy: policy, since: since,
            until: until, now: now, toolVersion: EngineContext.toolVersion)
        return Outcome(report: report, text: try Self.render(report, format))
    }

    static func render(_ report: FleetReport, _ format: ComplianceReporting.Format) throws -> String {
        switch format {
        case .markdown: return ReportRenderer.markdown(report)
        case .html: return ReportRenderer.html(report)
        case .json:
            return String(decoding: try CatalogCoding.encoder(pretty: true).encode(report), as: UTF8.self) + "\n"
        }
    }
}
