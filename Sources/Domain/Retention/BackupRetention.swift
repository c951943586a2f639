// BackupRetention: keep or expire each backup of one kind, with every reason, following the restic/borg GFS
// semantics of KeepRules plus the safety rules no keep rule overrides (min_complete, min_age, pins, Object
// Lock). Tiering is decided afterwards, on the kept backups only (TieringPlanner).
import Catalog
import Foundation
import Policy

struct BackupRetention {
    static let leftoverReason = "leftover of a failed or interrupted backup (no manifest)"
    static let futureReason = "started after the plan time"
    static let unkeptReason = "not kept by any rule"

    let policy: RetentionPolicy
    let now: Date
    let calendar: Calendar

    /// What the rules found for one kept backup: its reasons, the calendar rules among them (for `kept_by`),
    /// and the times each time-bound reason runs out (for `retainedUntil`).
    struct Verdict {
        var reasons: [String] = []
        var calendarPeriods: Set<CalendarPeriod> = []
        var expiries: [Date] = []
        var indefinite = false
    }

    typealias Decided = (backup: PlannedBackup, decision: BackupDecision, verdict: Verdict)

    /// Decisions for the backups of `kind` (any order in, any order out), before tiering. Only restorable points
    /// are counted: fulls, and incrementals whose chain holds; `broken` names the others, with why
    /// (ChainRetention.brokenChains). Every backup a kept incremental's chain contains is kept.
    func decide(_ backups: [PlannedBackup], kind: BackupKind, broken: [String: String] = [:]) -> [Decided] {
        var results: [Decided] = []
        var counted: [PlannedBackup] = []
        var unrestorable: [PlannedBackup] = []
        for backup in backups {
            if let verdict = uncountedVerdict(backup) {
                results.append((backup, decision(for: backup, verdict: verdict), verdict))
            } else if backup.complete && broken[backup.id] != nil {
                unrestorable.append(backup)
            } else if backup.complete {
                counted.append(backup)
            } else {
                results.append((backup, expired(backup, reasons: [Self.leftoverReason]), Verdict()))
            }
        }
        counted.sort { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
        for (backup, verdict) in zip(counted, verdicts(newestFirst: counted, kind: kind)) {
            let decision =
                verdict.reasons.isEmpty
                ? expired(backup, reasons: [Self.unkeptReason]) : decision(for: backup, verdict: verdict)
            results.append((backup, decision, verdict))
        }
        ChainRetention.keepChains(&results, broken: broken)
        let oldestKept = results.filter { $0.backup.complete && $0.decision.action != .expire }
            .map(\.backup).min { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        for backup in unrestorable {
            results.append(decideUnrestorable(backup, why: broken[backup.id] ?? "", oldestKept: oldestKept))
        }
        return results
    }

    /// An incremental whose chain does not hold restores nothing, so it takes no slot of the keep rules; nor is it
    /// deleted for being broken (the damage may need investigating): it stays, reported, until retention passes
    /// it — once it is older than every kept backup of its type — unless a pin, min_age or Object Lock holds it.
    private func decideUnrestorable(_ backup: PlannedBackup, why: String, oldestKept: PlannedBackup?) -> Decided {
        var verdict = Verdict()
        applyTimeRules(nil, kind: backup.kind, backup: backup, rank: nil, verdict: &verdict)
        if let oldestKept, (backup.startedAt, backup.id) > (oldestKept.startedAt, oldestKept.id) {
            verdict.reasons.append("kept until retention passes it (newer than the oldest kept \(oldestKept.id))")
        }
        let note = "\(ChainRetention.unrestorablePrefix)\(why)"
        guard !verdict.reasons.isEmpty else {
            return (
                backup, expired(backup, reasons: [note, "older than every kept \(backup.kind.rawValue) backup"]),
                verdict
            )
        }
        verdict.reasons.insert(note, at: 0)
        return (backup, decision(for: backup, verdict: verdict), verdict)
    }

    /// Backups that take no part in counting: started after the plan time, or incomplete but young enough to
    /// still be running (min_age protects them: deleting a directory a backup is writing into would lose it).
    private func uncountedVerdict(_ backup: PlannedBackup) -> Verdict? {
        if backup.startedAt > now { return Verdict(reasons: [Self.futureReason]) }
        guard !backup.complete, now.timeIntervalSince(backup.startedAt) < policy.safety.minAge else { return nil }
        return Verdict(
            reasons: ["incomplete, possibly still running", minAgeReason],
            expiries: [backup.startedAt.addingTimeInterval(policy.safety.minAge)])
    }

    private var minAgeReason: String { "younger than min_age \(DurationText.format(policy.safety.minAge))" }

    // MARK: - rules

    private func verdicts(newestFirst backups: [PlannedBackup], kind: BackupKind) -> [Verdict] {
        let type = BackupTypeSetting(rawValue: kind.rawValue)
        guard let type, let rules = policy.keep[type], rules != KeepRules() else {
            return backups.map { _ in Verdict(reasons: ["no keep rules for \(kind.rawValue) backups"], indefinite: true)
            }
        }
        var verdicts = [Verdict](repeating: Verdict(), count: backups.count)
        if let last = rules.last {
            for index in backups.indices.prefix(last) { verdicts[index].reasons.append("last \(last)") }
        }
        for period in CalendarPeriod.allCases {
            guard let count = Self.count(of: period, in: rules) else { continue }
            applyCalendar(period, count: count, to: backups, verdicts: &verdicts)
        }
        for index in backups.indices {
            applyTimeRules(rules, kind: kind, backup: backups[index], rank: index, verdict: &verdicts[index])
        }
        return verdicts
    }

    /// The newest backup of each of the `count` most recent periods that have one.
    private func applyCalendar(
        _ period: CalendarPeriod, count: Int, to backups: [PlannedBackup], verdicts: inout [Verdict]
    ) {
        var used = 0
        var previous: Date?
        for (index, backup) in backups.enumerated() where used < count {
            let bucket = CalendarBucket(period: period, date: backup.startedAt, calendar: calendar)
            guard bucket.start != previous else { continue }
            used += 1
            previous = bucket.start
            verdicts[index].reasons.append("\(period.rawValue) \(bucket.label)")
            verdicts[index].calendarPeriods.insert(period)
            // Rank `used` of `count`: it drops out once count − used + 1 newer periods have a backup.
            verdicts[index].expiries.append(bucket.start(after: count - used + 1, calendar: calendar))
        }
    }

    /// `within`, pins, min_complete, min_age and Object Lock, in that order. `rank` 0 is the newest backup; nil
    /// (with no rules) for a backup that is not counted, which only pins, min_age and Object Lock can keep.
    private func applyTimeRules(
        _ rules: KeepRules?, kind: BackupKind, backup: PlannedBackup, rank: Int?, verdict: inout Verdict
    ) {
        let age = now.timeIntervalSince(backup.startedAt)
        if let within = rules?.within, age < within {
            verdict.reasons.append("within \(DurationText.format(within))")
            verdict.expiries.append(backup.startedAt.addingTimeInterval(within))
        }
        if backup.pinned {
            verdict.reasons.append("pinned")
            verdict.indefinite = true
        }
        if let until = backup.keepUntil, until > now {
            verdict.reasons.append("pinned until \(PlanText.timestamp(until))")
            verdict.expiries.append(until)
        }
        let minComplete = max(1, policy.safety.minComplete)
        if rank == 0 {
            verdict.reasons.append("newest complete \(kind.rawValue) backup")
        } else if let rank, rank < minComplete {
            verdict.reasons.append("min_complete \(minComplete)")
        }
        if age < policy.safety.minAge {
            verdict.reasons.append(minAgeReason)
            verdict.expiries.append(backup.startedAt.addingTimeInterval(policy.safety.minAge))
        }
        if let locked = backup.lockedUntil, locked > now {
            verdict.reasons.append("Object Lock until \(PlanText.timestamp(locked))")
            verdict.expiries.append(locked)
        }
    }

    private static func count(of period: CalendarPeriod, in rules: KeepRules) -> Int? {
        switch period {
        case .hourly: return rules.hourly
        case .daily: return rules.daily
        case .weekly: return rules.weekly
        case .monthly: return rules.monthly
        case .yearly: return rules.yearly
        }
    }

    // MARK: - decisions

    private func decision(for backup: PlannedBackup, verdict: Verdict) -> BackupDecision {
        BackupDecision(
            id: backup.id, kind: backup.kind, startedAt: backup.startedAt, complete: backup.complete,
            action: .keep, reasons: verdict.reasons, storageClass: backup.storageClass,
            retainedUntil: verdict.indefinite ? nil : verdict.expiries.max(), storedBytes: backup.storedBytes,
            parent: backup.parent)
    }

    private func expired(_ backup: PlannedBackup, reasons: [String]) -> BackupDecision {
        BackupDecision(
            id: backup.id, kind: backup.kind, startedAt: backup.startedAt, complete: backup.complete,
            action: .expire, reasons: reasons, storageClass: backup.storageClass, storedBytes: backup.storedBytes,
            parent: backup.parent)
    }
}
