// TieringPlanner: which kept backups move their data objects to a colder storage class. Objects only ever move
// colder (a warmer class would cost a restore-and-copy and, for archive classes, early-deletion fees), and a
// class the order does not know is left alone rather than guessed at.
import Catalog
import Foundation
import Policy

struct TieringPlanner {
    static let reasonPrefix = "tiering: "
    let rules: [TieringRule]
    let now: Date

    /// The decision with a transition added when a rule applies and its class is colder than the current one.
    func apply(to decision: BackupDecision, keptBy periods: Set<CalendarPeriod>) -> BackupDecision {
        guard decision.action == .keep, decision.complete,
            let (rule, rank) = coldestRule(for: decision, keptBy: periods),
            let current = Self.rank(of: decision.storageClass ?? "STANDARD"), rank > current
        else { return decision }
        var moved = decision
        moved.action = .transition
        moved.storageClass = decision.storageClass ?? "STANDARD"
        moved.transitionTo = rule.storageClass
        moved.reasons.append("\(Self.reasonPrefix)after \(DurationText.format(rule.after)) → \(rule.storageClass)")
        return moved
    }

    /// The eligible rule with the coldest class (the first such rule when several name it).
    private func coldestRule(for decision: BackupDecision, keptBy periods: Set<CalendarPeriod>) -> (TieringRule, Int)? {
        var best: (TieringRule, Int)?
        for rule in rules where isEligible(rule, decision, periods) {
            guard let rank = Self.rank(of: rule.storageClass) else { continue }
            if best == nil || rank > best!.1 { best = (rule, rank) }
        }
        return best
    }

    private func isEligible(_ rule: TieringRule, _ decision: BackupDecision, _ periods: Set<CalendarPeriod>) -> Bool {
        if let types = rule.types, !types.contains(where: { $0.rawValue == decision.kind.rawValue }) { return false }
        guard now.timeIntervalSince(decision.startedAt) >= rule.after else { return false }
        guard let keptBy = rule.keptBy else { return true }
        return keptBy.contains { periods.contains($0) }
    }

    static func rank(of storageClass: String) -> Int? {
        TieringRule.storageClassOrder.firstIndex(of: storageClass)
    }
}
