// ReportPeriod: the period [since, until) of a report and the calendar it is cut in (the policy's time zone,
// UTC without a policy), so every section counts days and buckets the way the retention planner does.
import Foundation
import Policy
import Retention

struct ReportPeriod {
    let since: Date
    let until: Date
    /// The end of what can be judged: `until`, or `now` if that is earlier (nothing after `now` has happened).
    let end: Date
    let calendar: Calendar
    /// Where the repository's history begins: the earlier of its creation and its first complete backup (a
    /// constructed or imported history may predate the descriptor). nil: no history at all.
    let historyStart: Date?
    /// The start of the part of the period the repository existed in: `max(since, historyStart)`, at most `end`.
    /// Before it nothing is judged — it is "not covered", not exposure and not a missed drill.
    let coveredFrom: Date

    /// How much of the period the repository existed in, up to `end`.
    var coveredSeconds: Double { end.timeIntervalSince(coveredFrom) }

    /// One calendar day overlapping the period.
    struct Day {
        let label: String
        let start: Date
        let end: Date
        /// Whether the schedule is judged on this day: only days that are over by `end`. A day still in progress
        /// when the report is made may yet get its backup, so it is shown but not counted as missed.
        let judged: Bool
    }

    init(since: Date, until: Date, now: Date, timeZone: TimeZone, historyStart: Date? = nil) {
        self.since = since
        self.until = until
        let end = max(since, min(until, now))
        self.end = end
        self.calendar = CalendarBucket.calendar(in: timeZone)
        self.historyStart = historyStart
        self.coveredFrom = min(max(since, historyStart ?? end), end)
    }

    /// The earlier of the repository's creation and its first complete backup.
    static func historyStart(_ input: ReportInput) -> Date? {
        ([input.repositoryCreated].compactMap { $0 } + input.backups.map(\.startedAt)).min()
    }

    /// Whether some of the period lies before the repository's history.
    var hasUncoveredStart: Bool { coveredFrom > since }

    /// Facts count for the period when they start in it.
    func contains(_ date: Date) -> Bool {
        date >= since && date < until
    }

    func day(of date: Date) -> String {
        CalendarBucket(period: .daily, date: date, calendar: calendar).label
    }

    /// Every calendar day that overlaps [since, until), oldest first.
    func days() -> [Day] {
        var days: [Day] = []
        var bucket = CalendarBucket(period: .daily, date: since, calendar: calendar)
        while bucket.start < until {
            let next = bucket.start(after: 1, calendar: calendar)
            days.append(Day(label: bucket.label, start: bucket.start, end: next, judged: next <= end))
            guard next > bucket.start else { break }
            bucket = CalendarBucket(period: .daily, date: next, calendar: calendar)
        }
        return days
    }
}
