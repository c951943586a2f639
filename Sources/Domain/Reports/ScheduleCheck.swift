// ScheduleCheck: did every day of the period get its backup? A backup type is scheduled daily when the policy
// keeps daily backups of it (a `daily` keep rule); without a policy nothing is scheduled and nothing judged.
// Days that started before the repository's history are not judged either (unless they hold a backup):
// the repository did not exist to take one.
import Catalog
import Foundation
import Policy

struct ScheduleCheck {
    let input: ReportInput
    let period: ReportPeriod

    func assess() -> [ScheduleCompliance] {
        guard let policy = input.policy else { return [] }
        return BackupKind.allCases.filter { kind in
            guard let setting = BackupTypeSetting(rawValue: kind.rawValue) else { return false }
            return policy.keep[setting]?.daily != nil
        }.map(assess)
    }

    private func assess(_ kind: BackupKind) -> ScheduleCompliance {
        let all = input.backups.filter { $0.kind == kind && period.contains($0.startedAt) }
        // An incremental whose chain is broken restores nothing: it is no backup of its day.
        let backups = all.filter { $0.chainBroken == nil }
        let failed = input.failedRuns.filter { $0.kind == kind && period.contains($0.startedAt) }
        let backupsPerDay = Dictionary(grouping: backups) { period.day(of: $0.startedAt) }
        let failedPerDay = Dictionary(grouping: failed) { period.day(of: $0.startedAt) }
        let days = period.days()
        let perDay = days.map {
            DayCount(
                day: $0.label, backups: backupsPerDay[$0.label]?.count ?? 0, failed: failedPerDay[$0.label]?.count ?? 0)
        }
        let historyStart = period.historyStart ?? period.until
        let judged = days.filter { $0.judged && ($0.start >= historyStart || backupsPerDay[$0.label] != nil) }.map(
            \.label)
        let missed = judged.filter { backupsPerDay[$0] == nil }
        let runs = backups.count + failed.count
        return ScheduleCompliance(
            kind: kind, expectedDays: judged.count, daysWithBackup: judged.count - missed.count, missedDays: missed,
            completedRuns: backups.count, incrementalRuns: backups.filter(\.incremental).count,
            unrestorable: all.filter { $0.chainBroken != nil }.map(\.id), failedRuns: failed.count,
            successRate: runs == 0 ? nil : Double(backups.count) / Double(runs),
            perDay: perDay, met: missed.isEmpty)
    }
}

extension ScheduleCheck {
    /// Violated when a judged day missed its backup; insufficient history when no day could be judged yet.
    static func status(_ schedule: ScheduleCompliance) -> ObjectiveStatus {
        !schedule.met ? .notMet : schedule.expectedDays == 0 ? .insufficientHistory : .met
    }

    func findings(_ schedules: [ScheduleCompliance]) -> Findings {
        var findings = Findings()
        for schedule in schedules {
            let kind = schedule.kind.rawValue
            if !schedule.missedDays.isEmpty {
                findings.failures.append(
                    "\(ReportText.count(schedule.missedDays.count, "day")) without a \(kind) backup "
                        + "(of \(schedule.expectedDays)): \(ReportText.list(schedule.missedDays))")
            }
            if !schedule.unrestorable.isEmpty {
                findings.notes.append(
                    "\(ReportText.count(schedule.unrestorable.count, "incremental \(kind)")) not counted: the chain "
                        + "does not authenticate, so nothing restores \(schedule.unrestorable.count == 1 ? "it" : "them") "
                        + "(\(ReportText.list(schedule.unrestorable)); run 'lifeboat verify --all')")
            }
            if schedule.failedRuns > 0, let rate = schedule.successRate {
                findings.notes.append(
                    "\(ReportText.count(schedule.failedRuns, "failed \(kind) run")) in the period "
                        + "(success rate \(ReportText.percent(rate)))")
            }
        }
        return findings
    }
}
