// ComplianceReporting: `lifeboat report` as one engine step — the facts read from the repository
// (ReportInputReader), the report built from them, rendered in the asked format, and its verdict. Non-compliant is
// an objective not met (exit 3); "insufficient history" passes (nothing was violated, the repository is too young
// to judge everything, and a cron job must not page for a new repository).
import Catalog
import Foundation
import Reports

public struct ComplianceReporting {
    let context: EngineContext
    let catalog: BackupCatalog
    let policies: PolicySource

    public enum Format: Sendable {
        case markdown, html, json
    }

    /// A built report and what the command says about it.
    public struct Outcome: Sendable {
        public let report: ComplianceReport
        public let text: String

        public var cluster: String { report.cluster }
        public var verdict: Verdict { report.verdict.status == .notCompliant ? .objectiveNotMet : .passed }
        /// "COMPLIANT", "NOT COMPLIANT" or "INSUFFICIENT HISTORY".
        public var verdictText: String { ReportSummaries.verdict(report.verdict.status) }
        /// Why the verdict is what it is, most important first.
        public var reasons: [String] { report.verdict.reasons }
        /// Nothing was violated, but the repository is too young to judge every objective.
        public var hasInsufficientHistory: Bool { report.verdict.status == .insufficientHistory }
        /// The objectives that cannot be judged yet.
        public var unjudgedObjectives: [String] {
            report.verdict.objectives.filter { $0.status == .insufficientHistory }.map(\.objective)
        }
    }

    public init(context: EngineContext, catalog: BackupCatalog, policies: PolicySource) {
        self.context = context
        self.catalog = catalog
        self.policies = policies
    }

    /// The report over [since, until), judged as of `now`.
    public func run(since: Date, until: Date, now: Date, format: Format) throws -> Outcome {
        let input = try ReportInputReader(context: context, catalog: catalog, policy: try policies.policyIfConfigured())
            .read(since: since, until: until, now: now)
        let report = ReportBuilder.build(input, toolVersion: EngineContext.toolVersion)
        return Outcome(report: report, text: try Self.render(report, format))
    }

    static func render(_ report: ComplianceReport, _ format: Format) throws -> String {
        switch format {
        case .markdown: return ReportRenderer.markdown(report)
        case .html: return ReportRenderer.html(report)
        case .json:
            return String(decoding: try CatalogCoding.encoder(pretty: true).encode(report), as: UTF8.self) + "\n"
        }
    }
}
