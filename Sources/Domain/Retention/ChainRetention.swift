// ChainRetention: what incremental snapshots (docs/format.md §6.5) add to a retention plan. An incremental is a
// restorable point only while its whole chain — the full snapshot and every incremental down to its parent — is
// there, so: a chain that does not hold makes its incremental unrestorable (it takes no keep slot); every backup a
// kept incremental's chain contains is kept ("needed by incremental X"); and a chain member does not move to an
// archival class (one that needs hours of rehydration) while an incremental that needs it stays readable, unless
// they all move: a restore of the incremental would otherwise wait for the member.
import Catalog
import Foundation

enum ChainRetention {
    static let unrestorablePrefix = "not restorable: "
    /// Classes whose objects must be rehydrated (S3 RestoreObject, hours) before they can be read.
    static let archivalClasses: Set<String> = ["GLACIER", "DEEP_ARCHIVE"]

    /// Why each incremental of `backups` cannot be restored: the engine's finding (a parent swapped, another
    /// cluster history), a chain member that is not a complete backup of the input, or a member that is itself
    /// unrestorable. Fulls and intact incrementals are absent.
    static func brokenChains(_ backups: [PlannedBackup]) -> [String: String] {
        let complete = Dictionary(
            backups.filter(\.complete).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var broken: [String: String] = [:]
        // Oldest first: a member's own verdict is known before its dependents are judged.
        for backup in backups.filter(\.complete).sorted(by: { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }) {
            guard let chain = backup.chain, !chain.isEmpty else { continue }
            if let found = backup.chainBroken {
                broken[backup.id] = found
            } else if let missing = chain.first(where: { complete[$0] == nil }) {
                broken[backup.id] = "its chain member '\(missing)' is not in the repository"
            } else if let member = chain.first(where: { broken[$0] != nil }) {
                broken[backup.id] = "its chain member '\(member)' cannot be restored"
            }
        }
        return broken
    }

    /// Keeps every backup the chain of a kept incremental contains, with the newest such incremental as the
    /// reason; the member is then kept at least as long as its dependents (`retainedUntil`), and is tiered with
    /// them (their calendar rules count for its `kept_by`).
    static func keepChains(_ results: inout [BackupRetention.Decided], broken: [String: String]) {
        var index: [String: Int] = [:]
        for (position, result) in results.enumerated() { index[result.backup.id] = position }
        var dependents: [String: [Int]] = [:]
        for (position, result) in results.enumerated()
        where result.decision.action != .expire && result.backup.complete && broken[result.backup.id] == nil {
            for member in result.backup.chain ?? [] where index[member] != nil {
                dependents[member, default: []].append(position)
            }
        }
        for (member, users) in dependents {
            guard let position = index[member] else { continue }
            let newest = users.max {
                (results[$0].backup.startedAt, results[$0].backup.id)
                    < (results[$1].backup.startedAt, results[$1].backup.id)
            }!
            let more = users.count > 1 ? " and \(users.count - 1) more" : ""
            let reason = "needed by incremental \(results[newest].backup.id)\(more)"
            var result = results[position]
            let wasExpired = result.decision.action == .expire
            let ends = users.compactMap { results[$0].decision.retainedUntil }
            if wasExpired {
                result.decision.action = .keep
                result.decision.reasons = [reason]
                result.decision.retainedUntil = ends.max()
            } else {
                result.decision.reasons.append(reason)
                result.decision.retainedUntil = (ends + [result.decision.retainedUntil].compactMap { $0 }).max()
            }
            for user in users { result.verdict.calendarPeriods.formUnion(results[user].verdict.calendarPeriods) }
            results[position] = result
        }
    }

    /// Holds back the move of a chain member to an archival class while an incremental that needs it is kept in
    /// a readable class: the chain goes to the archive together, or its older members stay readable.
    static func holdBackArchival(_ decisions: inout [BackupDecision], backups: [PlannedBackup]) {
        let chains = Dictionary(backups.map { ($0.id, $0.chain ?? []) }, uniquingKeysWith: { first, _ in first })
        var index: [String: Int] = [:]
        for (position, decision) in decisions.enumerated() { index[decision.id] = position }
        for dependent in decisions where dependent.action != .expire && dependent.complete {
            let lands = dependent.transitionTo ?? dependent.storageClass ?? "STANDARD"
            guard !archivalClasses.contains(lands) else { continue }
            for member in chains[dependent.id] ?? [] {
                guard let position = index[member], let target = decisions[position].transitionTo,
                    decisions[position].action == .transition, archivalClasses.contains(target)
                else { continue }
                var held = decisions[position]
                held.action = .keep
                held.transitionTo = nil
                held.reasons = held.reasons.filter { !$0.hasPrefix(TieringPlanner.reasonPrefix) }
                held.reasons.append(
                    "tiering to \(target) held back: incremental \(dependent.id) needs it and stays in \(lands)")
                decisions[position] = held
            }
        }
    }
}
