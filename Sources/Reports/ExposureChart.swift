// ExposureChart: the RPO-exposure timeline — a time axis over the period, every stretch between recovery
// points longer than the objective (and the worst one) as a bar whose height is its length, the objective as a
// dashed line and WAL gaps as marks under the axis. Narrow stretches get a minimum width so a two-hour gap in
// a two-month period stays visible.
import Foundation

struct ExposureChart {
    let report: ComplianceReport

    private static let width = 760.0, height = 220.0, left = 56.0, right = 12.0, top = 12.0, bottom = 54.0
    private var plotWidth: Double { Self.width - Self.left - Self.right }
    private var plotHeight: Double { Self.height - Self.top - Self.bottom }
    private var axisY: Double { Self.top + plotHeight }

    func render() -> String {
        let coverage = report.coverage
        let summary = "Recovery point exposure: worst \(ReportSummaries.optionalDuration(coverage.worstExposureSeconds)), "
            + "objective \(ReportSummaries.objective(report.objectives.rpoSeconds)), "
            + "\(coverage.exposuresOverObjective.count) stretches over the objective, \(coverage.walGaps.count) WAL gaps"
        var svg = "<figure id=\"chart-exposure\" class=\"chart chart-exposure\">"
            + "<svg id=\"chart-exposure-svg\" class=\"exposure\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" "
            + "role=\"img\" aria-labelledby=\"chart-exposure-title\"><title id=\"chart-exposure-title\">\(HTML.escape(summary))</title>\n"
        svg += axes()
        svg += spans().map(bar).joined()
        svg += objectiveLine()
        svg += coverage.walGaps.map(gapMark).joined()
        svg += "</svg><figcaption class=\"legend\"><span><span class=\"swatch\" style=\"background:#d73a49\"></span>"
            + "stretch without a recovery point, longer than the objective</span><span>- - - RPO objective</span>"
            + "<span><span class=\"swatch\" style=\"background:#555\"></span>WAL gap</span></figcaption></figure>\n"
        return svg
    }

    /// Over-objective stretches plus the worst one when it is within the objective (then it is the only bar).
    private func spans() -> [ExposureSpan] {
        var spans = report.coverage.exposuresOverObjective
        if let from = report.coverage.worstExposureFrom, let to = report.coverage.worstExposureTo,
           let seconds = report.coverage.worstExposureSeconds, !spans.contains(where: { $0.from == from && $0.to == to }) {
            spans.append(ExposureSpan(from: from, to: to, seconds: seconds))
        }
        return spans
    }

    private var maxSeconds: Double {
        let values = spans().map(\.seconds) + [(report.objectives.rpoSeconds ?? 0) * 1.5]
        return max(values.max() ?? 1, 1)
    }

    private func x(_ date: Date) -> Double {
        let total = max(report.until.timeIntervalSince(report.since), 1)
        let fraction = min(max(date.timeIntervalSince(report.since) / total, 0), 1)
        return Self.left + fraction * plotWidth
    }

    private func y(_ seconds: Double) -> Double {
        axisY - min(seconds / maxSeconds, 1) * plotHeight
    }

    private func axes() -> String {
        var svg = "<g class=\"axis\"><line x1=\(q(Self.left)) y1=\(q(axisY)) x2=\(q(Self.left + plotWidth)) y2=\(q(axisY)) stroke=\"#000\"/>"
            + "<line x1=\(q(Self.left)) y1=\(q(Self.top)) x2=\(q(Self.left)) y2=\(q(axisY)) stroke=\"#000\"/>"
        let total = report.until.timeIntervalSince(report.since)
        for step in 0...6 {
            let date = report.since.addingTimeInterval(total * Double(step) / 6)
            let position = x(date)
            svg += "<line x1=\(q(position)) y1=\(q(axisY)) x2=\(q(position)) y2=\(q(axisY + 4)) stroke=\"#000\"/>"
                + "<text x=\(q(position)) y=\(q(axisY + 16)) text-anchor=\"middle\">\(ReportText.date(date))</text>"
        }
        svg += "<text x=\(q(Self.left - 4)) y=\(q(axisY)) text-anchor=\"end\">0</text>"
            + "<text x=\(q(Self.left - 4)) y=\(q(Self.top + 8)) text-anchor=\"end\">\(ReportText.duration(maxSeconds))</text>"
        return svg + "</g>\n"
    }

    private func bar(_ span: ExposureSpan) -> String {
        let left = x(span.from), width = max(x(span.to) - left, 2)
        let over = report.objectives.rpoSeconds.map { span.seconds > $0 } ?? false
        let text = "\(ReportText.duration(span.seconds)) without a recovery point, \(ReportText.time(span.from)) – \(ReportText.time(span.to))"
        return "<g class=\"exposure-span\(over ? " over" : "")\"><title>\(HTML.escape(text))</title>"
            + "<rect x=\(q(left)) y=\(q(y(span.seconds))) width=\(q(width)) height=\(q(axisY - y(span.seconds))) "
            + "fill=\"\(over ? "#d73a49" : "#40c463")\" stroke=\"#000\" stroke-width=\"0.5\"/></g>\n"
    }

    private func objectiveLine() -> String {
        guard let rpo = report.objectives.rpoSeconds else { return "" }
        let level = y(rpo)
        return "<g class=\"objective\"><title>RPO objective \(ReportText.duration(rpo))</title>"
            + "<line x1=\(q(Self.left)) y1=\(q(level)) x2=\(q(Self.left + plotWidth)) y2=\(q(level)) stroke=\"#000\" stroke-dasharray=\"6 4\"/>"
            + "<text x=\(q(Self.left - 4)) y=\(q(level + 4)) text-anchor=\"end\">\(ReportText.duration(rpo))</text></g>\n"
    }

    private func gapMark(_ gap: ReportGapSummary) -> String {
        let left = x(gap.from), width = max(x(gap.to) - left, 2)
        let text = "WAL gap on timeline \(gap.timeline): \(gap.first)–\(gap.last), \(ReportText.time(gap.from)) – \(ReportText.time(gap.to))"
        return "<g class=\"wal-gap\"><title>\(HTML.escape(text))</title>"
            + "<rect x=\(q(left)) y=\(q(axisY + 24)) width=\(q(width)) height=\"10\" fill=\"#555\"/></g>\n"
    }

    private func q(_ value: Double) -> String {
        "\"\(HTML.number(value))\""
    }
}
