// FleetReport: the compliance report of every cluster in a repository over one period (`lifeboat report
// --all-clusters`): a summary row per cluster, an overall verdict, and each cluster's full ComplianceReport.
// `--format json` prints it (docs/json.md); Markdown and HTML render the same numbers.
import Foundation

public struct FleetReport: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var repository: String
    /// The configured policy: it applies to every cluster (a repository has no per-cluster policy).
    public var policy: String?
    public var since: Date
    public var until: Date
    public var generatedAt: Date
    public var toolVersion: String
    public var verdict: FleetVerdict
    /// One row per cluster, by name.
    public var clusters: [FleetClusterSummary]
    /// Each cluster's report, in the order of `clusters`.
    public var reports: [ComplianceReport]

    public init(
        repository: String, policy: String?, since: Date, until: Date, generatedAt: Date,
        toolVersion: String, verdict: FleetVerdict, clusters: [FleetClusterSummary],
        reports: [ComplianceReport]
    ) {
        formatVersion = Self.currentFormatVersion
        self.repository = repository
        self.policy = policy
        self.since = since
        self.until = until
        self.generatedAt = generatedAt
        self.toolVersion = toolVersion
        self.verdict = verdict
        self.clusters = clusters
        self.reports = reports
    }
}

public struct FleetVerdict: Codable, Sendable, Equatable {
    /// not_compliant when any cluster is, else insufficient_history when any cluster (or the repository: no
    /// cluster at all) is too young to judge, else compliant.
    public var status: OverallVerdict
    public var compliant: Bool
    /// One line per cluster that is not compliant or not yet judged, worst first.
    public var reasons: [String]
}
