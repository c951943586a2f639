// ExposureChart: the RPO-exposure timeline — a time axis over the period, every stretch between recovery
// points longer than the objective (and the worst one) as a bar whose height is its length, the objective as a
// dashed line and WAL gaps as marks under the axis. Narrow stretches get a minimum width so a two-hour gap in
// a two-month period stays visible. The part of the period before the repository existed is shaded "not
// covered". The left margin is computed from the y labels (ChartLayout), the axis maximum is a round duration.
import Foundation

struct ExposureChart {
    let report: ComplianceReport

    private static let width = 760.0, height = 220.0, right = 12.0, top = 12.0, bottom = 54.0
    private var left: Double { ChartLayout.leftMargin(yTicks().map(\.text)) }
    private var plotWidth: Double { Self.width - left - Self.right }
    private var plotHeight: Double { Self.height - Self.top - Self.bottom }
    private var axisY: Double { Self.top + plotHeight }

    func render() -> String {
        let coverage = report.coverage
        let summary =
            "Recovery point exposure: worst \(ReportSummaries.optionalDuration(coverage.worstExposureSeconds)), "
            + "objective \(ReportSummaries.objective(report.objectives.rpoSeconds)), "
            + "\(coverage.exposuresOverObjective.count) stretches over the objective, \(coverage.walGaps.count) WAL gaps"
        var svg =
            "<figure id=\"chart-exposure\" class=\"chart chart-exposure\">"
            + "<svg id=\"chart-exposure-svg\" class=\"exposure\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" "
            + "role=\"img\" aria-labelledby=\"chart-exposure-title\"><title id=\"chart-exposure-title\">\(HTML.escape(summary))</title>\n"
        svg += notCovered()
        svg += axes()
        svg += spans().map(bar).joined()
        svg += objectiveLine()
        svg += coverage.walGaps.map(gapMark).joined()
        svg +=
            "</svg><figcaption class=\"legend\"><span><span class=\"swatch\" style=\"background:#d73a49\"></span>"
            + "stretch without a recovery point, longer than the objective</span><span>- - - RPO objective</span>"
            + "<span><span class=\"swatch\" style=\"background:#555\"></span>WAL gap</span>"
            + (report.coveredFrom > report.since
                ? "<span><span class=\"swatch\" style=\"background:#ddd\"></span>not covered: before the repository existed</span>"
                : "")
            + "</figcaption></figure>\n"
        return svg
    }

    /// Over-objective stretches plus the worst one when it is within the objective (then it is the only bar).
    private func spans() -> [ExposureSpan] {
        var spans = report.coverage.exposuresOverObjective
        if let from = report.coverage.worstExposureFrom, let to = report.coverage.worstExposureTo,
            let seconds = report.coverage.worstExposureSeconds,
            !spans.contains(where: { $0.from == from && $0.to == to })
        {
            spans.append(ExposureSpan(from: from, to: to, seconds: seconds))
        }
        return spans
    }

    private var maxSeconds: Double {
        let values = spans().map(\.seconds) + [(report.objectives.rpoSeconds ?? 0) * 1.5]
        return ChartLayout.niceDuration(max(values.max() ?? 1, 1))
    }

    /// The objective first (it is what the chart is judged against), then 0, then the top of the axis.
    private func yTicks() -> [(y: Double, text: String)] {
        let axisY = Self.top + Self.height - Self.top - Self.bottom
        let scale = { (seconds: Double) in axisY - min(seconds / maxSeconds, 1) * (Self.height - Self.top - Self.bottom)
        }
        var ticks: [(y: Double, text: String)] = []
        if let rpo = report.objectives.rpoSeconds { ticks.append((scale(rpo), ReportText.duration(rpo))) }
        ticks += [(axisY, "0"), (Self.top, ReportText.duration(maxSeconds))]
        return ChartLayout.placeTicks(ticks)
    }

    private func notCovered() -> String {
        guard report.coveredFrom > report.since else { return "" }
        let from = x(report.since)
        let to = x(report.coveredFrom)
        let width = to - from
        let text =
            "not covered: \(ReportText.time(report.since)) – \(ReportText.time(report.coveredFrom)), before the repository existed"
        var svg =
            "<g class=\"not-covered\"><title>\(HTML.escape(text))</title>"
            + "<rect x=\(q(from)) y=\(q(Self.top)) width=\(q(width)) height=\(q(plotHeight)) fill=\"#ddd\"/>"
        if width >= ChartLayout.textWidth("not covered") + 8 {
            // At the top or the bottom of the plot, whichever is farther from the objective's dashed line.
            let objective = report.objectives.rpoSeconds.map(y) ?? axisY
            let high = Self.top + 14
            let low = axisY - 6
            let level = abs(objective - (high - 4)) >= abs(objective - (low - 4)) ? high : low
            svg += "<text x=\(q(from + width / 2)) y=\(q(level)) text-anchor=\"middle\">not covered</text>"
        }
        return svg + "</g>\n"
    }

    private func x(_ date: Date) -> Double {
        let total = max(report.until.timeIntervalSince(report.since), 1)
        let fraction = min(max(date.timeIntervalSince(report.since) / total, 0), 1)
        return left + fraction * plotWidth
    }

    private func y(_ seconds: Double) -> Double {
        ChartLayout.y(seconds, maxSeconds: maxSeconds, axisY: axisY, plotHeight: plotHeight)
    }

    private func axes() -> String {
        var svg = ChartLayout.axisLines(left: left, top: Self.top, axisY: axisY, plotWidth: plotWidth)
        let total = report.until.timeIntervalSince(report.since)
        var labels: [(x: Double, text: String)] = []
        for step in 0...6 {
            let date = report.since.addingTimeInterval(total * Double(step) / 6)
            let position = x(date)
            svg += "<line x1=\(q(position)) y1=\(q(axisY)) x2=\(q(position)) y2=\(q(axisY + 4)) stroke=\"#000\"/>"
            labels.append((position, ReportText.date(date)))
        }
        // The last date would reach past the plot if centred on its tick: spread keeps every label inside.
        for label in ChartLayout.spread(labels, minX: 2, maxX: Self.width - 2) {
            svg += "<text x=\(q(label.x)) y=\(q(axisY + 19)) text-anchor=\"\(label.anchor)\">\(label.text)</text>"
        }
        for tick in yTicks() where tick.text != objectiveLabel {
            svg += "<text x=\(q(left - 4)) y=\(q(tick.y + 4)) text-anchor=\"end\">\(tick.text)</text>"
        }
        return svg + "</g>\n"
    }

    /// The objective's label is drawn by the objective line (inside its <g>), when it was placed.
    private var objectiveLabel: String? {
        report.objectives.rpoSeconds.map(ReportText.duration)
    }

    private func bar(_ span: ExposureSpan) -> String {
        let left = x(span.from)
        let width = max(x(span.to) - left, 2)
        let over = report.objectives.rpoSeconds.map { span.seconds > $0 } ?? false
        let text =
            "\(ReportText.duration(span.seconds)) without a recovery point, \(ReportText.time(span.from)) – \(ReportText.time(span.to))"
        return "<g class=\"exposure-span\(over ? " over" : "")\"><title>\(HTML.escape(text))</title>"
            + "<rect x=\(q(left)) y=\(q(y(span.seconds))) width=\(q(width)) height=\(q(axisY - y(span.seconds))) "
            + "fill=\"\(over ? "#d73a49" : "#40c463")\" stroke=\"#000\" stroke-width=\"0.5\"/></g>\n"
    }

    private func objectiveLine() -> String {
        guard let rpo = report.objectives.rpoSeconds else { return "" }
        let level = y(rpo)
        return "<g class=\"objective\"><title>RPO objective \(ReportText.duration(rpo))</title>"
            + "<line x1=\(q(left)) y1=\(q(level)) x2=\(q(left + plotWidth)) y2=\(q(level)) stroke=\"#000\" stroke-dasharray=\"6 4\"/>"
            + "<text x=\(q(left - 4)) y=\(q(level + 4)) text-anchor=\"end\">\(ReportText.duration(rpo))</text></g>\n"
    }

    private func gapMark(_ gap: ReportWALGap) -> String {
        let left = x(gap.from)
        let width = max(x(gap.to) - left, 2)
        let text =
            "WAL gap on timeline \(gap.timeline): \(gap.first)–\(gap.last), \(ReportText.time(gap.from)) – \(ReportText.time(gap.to))"
        return "<g class=\"wal-gap\"><title>\(HTML.escape(text))</title>"
            + "<rect x=\(q(left)) y=\(q(axisY + 28)) width=\(q(width)) height=\"10\" fill=\"#555\"/></g>\n"
    }

    private func q(_ value: Double) -> String {
        HTML.attribute(value)
    }
}
