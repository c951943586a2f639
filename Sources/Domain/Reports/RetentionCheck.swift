// RetentionCheck: do the backups the policy promises to keep exist at the end of the period? For each backup
// type and calendar keep rule (hourly … yearly) the required slots are the N most recent buckets that have
// ended by `until` — the bucket still in progress may yet get its backup — and that end after the oldest backup
// of that type: a repository started in March cannot hold last December's monthly backup, and that is not a
// retention failure. A slot is filled by the newest backup of the type started in it.
import Catalog
import Foundation
import Policy
import Retention

struct RetentionCheck {
    let input: ReportInput
    let period: ReportPeriod

    func assess() -> RetentionCompliance {
        guard let policy = input.policy else { return RetentionCompliance(required: [], missing: 0, met: true) }
        var required: [RequiredBackup] = []
        for kind in BackupKind.allCases {
            guard let setting = BackupTypeSetting(rawValue: kind.rawValue), let rules = policy.keep[setting] else {
                continue
            }
            let backups = input.restorableBackups.filter { $0.kind == kind && $0.startedAt < period.until }
            for (period, count) in Self.calendarRules(rules) {
                required += slots(period, count: count, backups: backups, kind: kind)
            }
        }
        let missing = required.filter { $0.backup == nil }.count
        return RetentionCompliance(required: required, missing: missing, met: missing == 0)
    }

    func findings(_ retention: RetentionCompliance) -> Findings {
        let empty = retention.required.filter { $0.backup == nil }.map {
            "\($0.rule) \($0.bucket) (\($0.kind.rawValue))"
        }
        guard !empty.isEmpty else { return Findings() }
        let count = ReportText.count(empty.count, "required retention slot")
        return Findings(failures: [
            "\(count) without a backup at \(ReportText.time(period.until)): \(ReportText.list(empty))"
        ])
    }

    static func calendarRules(_ rules: KeepRules) -> [(CalendarPeriod, Int)] {
        let counts: [(CalendarPeriod, Int?)] = [
            (.hourly, rules.hourly), (.daily, rules.daily), (.weekly, rules.weekly),
            (.monthly, rules.monthly), (.yearly, rules.yearly),
        ]
        return counts.compactMap { period, count in count.map { (period, $0) } }
    }

    /// Newest slot first, as the planner counts them.
    private func slots(_ calendarPeriod: CalendarPeriod, count: Int, backups: [ReportBackup], kind: BackupKind)
        -> [RequiredBackup]
    {
        guard let oldest = backups.map(\.startedAt).min() else { return [] }
        let calendar = period.calendar
        let current = CalendarBucket(period: calendarPeriod, date: period.until, calendar: calendar)
        // The bucket holding `until` is either in progress or starts exactly at `until`; either way the newest
        // required slot is the one before it.
        var slots: [RequiredBackup] = []
        for offset in stride(from: -1, through: -count, by: -1) {
            let bucket = CalendarBucket(
                period: calendarPeriod, date: current.start(after: offset, calendar: calendar), calendar: calendar)
            let end = bucket.start(after: 1, calendar: calendar)
            guard end > oldest else { break }
            let found = backups.filter { $0.startedAt >= bucket.start && $0.startedAt < end }
                .max { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
            slots.append(
                RequiredBackup(rule: calendarPeriod.rawValue, kind: kind, bucket: bucket.label, backup: found?.id))
        }
        return slots
    }
}
