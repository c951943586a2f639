// DrillChart: RTO or RPO measured by each drill run in the period as a bar, the run's objective as a dashed
// mark over its bar (drills may carry their own objectives) and the policy's objective as a line across.
// Runs that did not pass are dark red and say so in their <title>; runs that measured nothing get a
// labelled stub so a missing measurement is visible rather than absent. Margins come from the labels, the
// axis maximum is a round duration, and with many runs only every k-th run is labelled so labels never touch.
import Foundation

struct DrillChart {
    enum Metric: String {
        case rto, rpo
    }

    let report: ComplianceReport
    let metric: Metric

    private static let width = 760.0, height = 220.0, right = 12.0, top = 12.0, bottom = 48.0
    private var left: Double { ChartLayout.leftMargin(yTicks().map(\.text)) }
    private var plotWidth: Double { Self.width - left - Self.right }
    private var plotHeight: Double { Self.height - Self.top - Self.bottom }
    private var axisY: Double { Self.top + plotHeight }
    private var name: String { metric.rawValue.uppercased() }
    private var id: String { "chart-drill-\(metric.rawValue)" }

    func render() -> String {
        let runs = report.drills.runs
        var svg = "<figure id=\"\(id)\" class=\"chart chart-drill\">"
        guard !runs.isEmpty else {
            return svg + "<p>No drill ran in the period: no \(name) was measured.</p></figure>\n"
        }
        svg +=
            "<svg id=\"\(id)-svg\" class=\"drill-\(metric.rawValue)\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" "
            + "role=\"img\" aria-labelledby=\"\(id)-title\"><title id=\"\(id)-title\">\(name) measured by \(runs.count) drill runs "
            + "against the objective \(ReportSummaries.objective(policyObjective))</title>\n"
        svg += axes()
        let slot = plotWidth / Double(runs.count)
        for (index, run) in runs.enumerated() {
            svg += bar(run, left: left + Double(index) * slot, slot: slot)
        }
        svg += runLabels(slot: slot)
        svg += policyLine()
        return svg + "</svg><figcaption>\(name) per drill run; dashed: objective.</figcaption></figure>\n"
    }

    private var policyObjective: Double? {
        metric == .rto ? report.objectives.rtoSeconds : report.objectives.rpoSeconds
    }

    private func value(_ run: DrillRunSummary) -> Double? {
        metric == .rto ? run.rtoSeconds : run.rpoSeconds
    }

    private func objective(_ run: DrillRunSummary) -> Double? {
        metric == .rto ? run.rtoObjectiveSeconds : run.rpoObjectiveSeconds
    }

    private var maxSeconds: Double {
        let values =
            report.drills.runs.flatMap { [value($0), objective($0)].compactMap { $0 } } + [policyObjective ?? 0]
        return ChartLayout.niceDuration(max((values.max() ?? 1) * 1.15, 1))
    }

    /// The policy objective first, then 0, then the top of the axis.
    private func yTicks() -> [(y: Double, text: String)] {
        let axisY = Self.height - Self.bottom
        let plotHeight = Self.height - Self.top - Self.bottom
        let scale = { ChartLayout.y($0, maxSeconds: maxSeconds, axisY: axisY, plotHeight: plotHeight) }
        var ticks: [(y: Double, text: String)] = []
        if let objective = policyObjective { ticks.append((scale(objective), ReportText.duration(objective))) }
        ticks += [(axisY, "0"), (Self.top, ReportText.duration(maxSeconds))]
        return ChartLayout.placeTicks(ticks)
    }

    /// Date and measured value under the bars; `spread` drops labels that would touch their neighbour.
    private func runLabels(slot: Double) -> String {
        let runs = report.drills.runs
        let centres = runs.indices.map { left + (Double($0) + 0.5) * slot }
        var svg = "<g class=\"run-labels\">"
        // Dates are the widest labels: the runs whose date fits also get their value, centred under the bar.
        let dates = runs.map(\.at).map(ReportText.date)
        for kept in ChartLayout.spreadIndices(zip(centres, dates).map { ($0, $1) }, minX: 2, maxX: Self.width - 2) {
            let value = HTML.escape(value(runs[kept.index]).map(ReportText.duration) ?? "n/a")
            let dateWidth = ChartLayout.textWidth(dates[kept.index])
            let valueLeft = kept.left + (dateWidth - ChartLayout.textWidth(value)) / 2
            svg +=
                "<text x=\(q(kept.left)) y=\(q(axisY + 18)) text-anchor=\"start\">\(dates[kept.index])</text>"
                + "<text x=\(q(valueLeft)) y=\(q(axisY + 32)) text-anchor=\"start\">\(value)</text>"
        }
        return svg + "</g>\n"
    }

    private func y(_ seconds: Double) -> Double {
        ChartLayout.y(seconds, maxSeconds: maxSeconds, axisY: axisY, plotHeight: plotHeight)
    }

    private func axes() -> String {
        var svg = ChartLayout.axisLines(left: left, top: Self.top, axisY: axisY, plotWidth: plotWidth)
        let objective = policyObjective.map(ReportText.duration)
        for tick in yTicks() where tick.text != objective {
            svg += "<text x=\(q(left - 4)) y=\(q(tick.y + 4)) text-anchor=\"end\">\(tick.text)</text>"
        }
        return svg + "</g>\n"
    }

    private func bar(_ run: DrillRunSummary, left: Double, slot: Double) -> String {
        let width = min(max(slot * 0.6, 2), 60)
        let x = left + (slot - width) / 2
        let measured = value(run)
        let text =
            "\(run.drill) \(ReportText.time(run.at)) (\(run.verdict.rawValue)): \(name) "
            + ReportSummaries.against(measured, objective(run))
        var svg = "<g class=\"drill-run \(HTML.escape(run.verdict.rawValue))\"><title>\(HTML.escape(text))</title>"
        let height = measured.map { axisY - y($0) } ?? 2
        let fill = run.verdict == .passed ? "#40c463" : "#a40000"
        svg +=
            "<rect x=\(q(x)) y=\(q(axisY - height)) width=\(q(width)) height=\(q(height)) fill=\"\(fill)\" stroke=\"#000\" stroke-width=\"0.5\"/>"
        if let objective = objective(run) {
            svg +=
                "<line x1=\(q(x - 4)) y1=\(q(y(objective))) x2=\(q(x + width + 4)) y2=\(q(y(objective))) stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"3 2\"/>"
        }
        return svg + "</g>\n"
    }

    private func policyLine() -> String {
        guard let objective = policyObjective else { return "" }
        let level = y(objective)
        return "<g class=\"objective\"><title>policy \(name) objective \(ReportText.duration(objective))</title>"
            + "<line x1=\(q(left)) y1=\(q(level)) x2=\(q(left + plotWidth)) y2=\(q(level)) stroke=\"#000\" stroke-dasharray=\"6 4\"/>"
            + "<text x=\(q(left - 4)) y=\(q(level + 4)) text-anchor=\"end\">\(ReportText.duration(objective))</text></g>\n"
    }

    private func q(_ value: Double) -> String {
        HTML.attribute(value)
    }
}
