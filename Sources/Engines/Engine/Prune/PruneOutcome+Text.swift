// The plan of a prune as `lifeboat prune` prints it first: every backup and WAL range with its reason.
import Retention

extension PruneOutcome {
    public var planText: String { PlanText.render(plan) }
}
