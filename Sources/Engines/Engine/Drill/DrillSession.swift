// DrillSession: `lifeboat drill run` as one engine step: the drill runs (DrillRunner) and its evidence becomes a
// verdict — passed when every check passed and the objectives were met, objective not met (exit 3) when a check
// failed or an objective was missed, failed (exit 1) when the drill could not run.
import Configuration
import Drills
import Foundation
import Policy

public struct DrillSession {
    let context: EngineContext
    let catalog: BackupCatalog
    let policies: PolicySource
    let definition: DrillDefinition

    /// A drill's evidence and what the command says about it.
    public struct Report: Sendable {
        public let evidence: DrillEvidence
        /// The scratch target left running (--keep or `keep:` in the drill file); nil when torn down.
        public let keptTarget: String?

        public var verdict: Verdict {
            switch evidence.verdict {
            case .passed: return .passed
            case .failed: return .objectiveNotMet
            case .error: return .failed
            }
        }

        /// The drill's result in a few lines: phases, RTO and RPO against the objectives, checks.
        public var summary: String { DrillAssessment.summary(evidence) }
    }

    public init(context: EngineContext, catalog: BackupCatalog, policies: PolicySource, definition: DrillDefinition) {
        self.context = context
        self.catalog = catalog
        self.policies = policies
        self.definition = definition
    }

    public func run(_ options: DrillRunOptions) throws -> Report {
        let runner = DrillRunner(
            context: context, catalog: catalog, policy: try policies.policyIfConfigured(),
            definition: definition)
        let evidence = try runner.run(options)
        let kept = (options.keep || definition.keep) && evidence.target != "none"
        return Report(evidence: evidence, keptTarget: kept ? evidence.target : nil)
    }
}
