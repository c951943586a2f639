// CalendarBucket: the calendar period (hour, day, ISO week, month, year) a backup falls in, cut in the policy's
// time zone, so that "daily" means the user's days — a backup at 00:30 Berlin time on a DST change day belongs
// to that day, not to the previous UTC day. Public because reports judge schedules and retention slots with
// the same buckets the planner keeps by.
import Foundation
import Policy

public struct CalendarBucket: Equatable, Sendable {
    public let period: CalendarPeriod
    /// The first instant of the period; two backups share a bucket when their starts are equal.
    public let start: Date
    /// "2026-03-14 05:00", "2026-03-14", "2026-W11", "2026-03", "2026".
    public let label: String

    /// The Gregorian calendar with ISO 8601 weeks (Monday first, week 1 holds the year's first Thursday), so the
    /// week-numbering year of 2027-01-01 is 2026 (2026-W53).
    public static func calendar(in zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        calendar.locale = Locale(identifier: "en_US_POSIX")
        return calendar
    }

    public init(period: CalendarPeriod, date: Date, calendar: Calendar) {
        self.period = period
        let component = Self.component(of: period)
        start = calendar.dateInterval(of: component, for: date)?.start ?? date
        label = Self.label(period: period, date: date, calendar: calendar)
    }

    /// The start of the bucket `count` periods after this one (calendar arithmetic in the policy zone, so a
    /// month after 2026-01-01 is 2026-02-01 and a day is 23 or 25 hours across DST changes).
    public func start(after count: Int, calendar: Calendar) -> Date {
        calendar.date(byAdding: Self.component(of: period), value: count, to: start) ?? start
    }

    private static func component(of period: CalendarPeriod) -> Calendar.Component {
        switch period {
        case .hourly: return .hour
        case .daily: return .day
        case .weekly: return .weekOfYear
        case .monthly: return .month
        case .yearly: return .year
        }
    }

    private static func label(period: CalendarPeriod, date: Date, calendar: Calendar) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .weekOfYear, .yearForWeekOfYear], from: date)
        let year = pad(parts.year ?? 0, 4)
        let month = pad(parts.month ?? 0, 2)
        let day = pad(parts.day ?? 0, 2)
        switch period {
        case .hourly: return "\(year)-\(month)-\(day) \(pad(parts.hour ?? 0, 2)):00"
        case .daily: return "\(year)-\(month)-\(day)"
        case .weekly: return "\(pad(parts.yearForWeekOfYear ?? 0, 4))-W\(pad(parts.weekOfYear ?? 0, 2))"
        case .monthly: return "\(year)-\(month)"
        case .yearly: return year
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
