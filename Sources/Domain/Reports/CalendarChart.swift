// CalendarChart: the backup calendar heat map — one SVG grid per scheduled backup type, a column per week
// (Monday first) and a row per weekday, coloured by how many complete backups the day has. Missed days also
// carry a cross and days with failed runs a dot, so the chart reads in greyscale; every cell has a <title>.
import Foundation

struct CalendarChart {
    let schedules: [ScheduleCompliance]

    private static let cell = 14.0, gap = 2.0, left = 32.0, top = 18.0
    private static let weekdays = ["Mon", "", "Wed", "", "Fri", "", "Sun"]

    func render() -> String {
        var html = "<figure id=\"chart-calendar\" class=\"chart chart-calendar\">\n"
        if schedules.isEmpty {
            html += "<p>No backup type is scheduled daily, so there is no calendar to judge.</p>\n"
        }
        for schedule in schedules { html += grid(schedule) }
        html += (schedules.isEmpty ? "" : legend()) + "</figure>\n"
        return html
    }

    private func grid(_ schedule: ScheduleCompliance) -> String {
        let kind = HTML.escape(schedule.kind.rawValue)
        let offset = schedule.perDay.first.map { Self.mondayIndex($0.day) } ?? 0
        let weeks = (schedule.perDay.count + offset + 6) / 7
        let labels = monthLabels(schedule, offset: offset)
        // A month starting in the last week would run past the grid: the SVG is as wide as its labels.
        let labelsEnd = labels.map { $0.x + ChartLayout.textWidth($0.text) }.max() ?? 0
        let width = max(Self.left + Double(max(weeks, 1)) * (Self.cell + Self.gap) + 4, labelsEnd + 2)
        let height = Self.top + 7 * (Self.cell + Self.gap) + 4
        let missed = Set(schedule.missedDays)
        var svg =
            "<svg id=\"chart-calendar-\(kind)\" class=\"calendar\" "
            + "viewBox=\"0 0 \(HTML.number(width)) \(HTML.number(height))\" width=\"\(HTML.number(width * 1.5))\" "
            + "role=\"img\" aria-labelledby=\"chart-calendar-\(kind)-title\">"
            + "<title id=\"chart-calendar-\(kind)-title\">Daily \(kind) backups: \(schedule.daysWithBackup) of "
            + "\(schedule.expectedDays) days with a backup, \(schedule.missedDays.count) missed, \(schedule.failedRuns) failed runs</title>\n"
        for (row, name) in Self.weekdays.enumerated() where !name.isEmpty {
            svg += "<text x=\"0\" y=\(quoted(Self.top + Double(row) * (Self.cell + Self.gap) + 11))>\(name)</text>"
        }
        for label in labels {
            svg += "<text x=\(quoted(label.x)) y=\"12\">\(HTML.escape(label.text))</text>"
        }
        for (index, day) in schedule.perDay.enumerated() {
            let position = index + offset
            let x = Self.left + Double(position / 7) * (Self.cell + Self.gap)
            let y = Self.top + Double(position % 7) * (Self.cell + Self.gap)
            svg += cell(day, x: x, y: y, missed: missed.contains(day.day))
        }
        return svg + "</svg>\n"
    }

    /// "2026-03" over the week a month starts in (and over the first week); a label that would touch the one
    /// before it (a period starting on the 29th) is left out.
    private func monthLabels(_ schedule: ScheduleCompliance, offset: Int) -> [(x: Double, text: String)] {
        var labels: [(x: Double, text: String)] = []
        for (index, day) in schedule.perDay.enumerated() where day.day.hasSuffix("-01") || index == 0 {
            let x = Self.left + Double((index + offset) / 7) * (Self.cell + Self.gap)
            let text = String(day.day.prefix(7))
            if let last = labels.last, last.x + ChartLayout.textWidth(last.text) + 4 > x {
                // The first week's label yields to the month that really starts there.
                if labels.count == 1 && !(schedule.perDay.first?.day.hasSuffix("-01") ?? true) { labels[0] = (x, text) }
                continue
            }
            labels.append((x, text))
        }
        return labels
    }

    private func cell(_ day: DayCount, x: Double, y: Double, missed: Bool) -> String {
        let fill = missed ? "#d73a49" : Self.colour(backups: day.backups)
        var text = "\(day.day): \(day.backups) backup" + (day.backups == 1 ? "" : "s")
        if day.failed > 0 { text += ", \(day.failed) failed run" + (day.failed == 1 ? "" : "s") }
        if missed { text += " — missed" }
        let cssClass = missed ? "day missed" : (day.failed > 0 ? "day failed" : "day")
        var svg =
            "<g class=\"\(cssClass)\"><title>\(HTML.escape(text))</title>"
            + "<rect x=\(quoted(x)) y=\(quoted(y)) width=\(quoted(Self.cell)) height=\(quoted(Self.cell)) fill=\"\(fill)\" stroke=\"#555\" stroke-width=\"0.5\"/>"
        if missed {
            svg +=
                "<path d=\"M\(HTML.number(x + 3)) \(HTML.number(y + 3))L\(HTML.number(x + 11)) \(HTML.number(y + 11))"
                + "M\(HTML.number(x + 11)) \(HTML.number(y + 3))L\(HTML.number(x + 3)) \(HTML.number(y + 11))\" stroke=\"#000\" stroke-width=\"1.5\"/>"
        }
        if day.failed > 0 {
            svg +=
                "<circle cx=\(quoted(x + 11)) cy=\(quoted(y + 3.5)) r=\"2.5\" fill=\"#000\" stroke=\"#fff\" stroke-width=\"0.5\"/>"
        }
        return svg + "</g>"
    }

    private func legend() -> String {
        let items = [
            ("#eeeeee", "no backup, not judged (day not over, or before the repository existed)"),
            ("#9be9a8", "1 backup"), ("#40c463", "2 backups"),
            ("#216e39", "3 or more"), ("#d73a49", "missed (cross)"),
        ]
        return "<figcaption class=\"legend\">"
            + items.map { colour, text in
                "<span><span class=\"swatch\" style=\"background:\(colour)\"></span>\(HTML.escape(text))</span>"
            }.joined() + "<span>● failed run that day</span></figcaption>\n"
    }

    static func colour(backups: Int) -> String {
        switch backups {
        case 0: return "#eeeeee"
        case 1: return "#9be9a8"
        case 2: return "#40c463"
        default: return "#216e39"
        }
    }

    /// 0 for Monday … 6 for Sunday, of a "2026-03-14" label (a calendar date has one weekday in every zone).
    static func mondayIndex(_ label: String) -> Int {
        let parts = label.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return 0 }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) else {
            return 0
        }
        return (calendar.component(.weekday, from: date) + 5) % 7
    }

    private func quoted(_ value: Double) -> String {
        HTML.attribute(value)
    }
}
