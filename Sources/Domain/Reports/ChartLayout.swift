// ChartLayout: what the SVG charts need to keep their text readable — an estimate of a label's width (the
// charts' 11px system font, measured generously so a wider font still fits), margins computed from the labels
// they must hold, "nice" axis maxima that print compactly ("2h", "1d", not "29d23h59m58s"), and tick labels
// placed by priority so two never share the same height. Pure arithmetic, so tests can check it.
import Foundation

enum ChartLayout {
    /// The height of `seconds` on a duration axis from 0 (at `axisY`) to `maxSeconds` (at `axisY - plotHeight`),
    /// clamped to the top.
    static func y(_ seconds: Double, maxSeconds: Double, axisY: Double, plotHeight: Double) -> Double {
        axisY - min(seconds / maxSeconds, 1) * plotHeight
    }

    /// The opening of a chart's axis group: the x axis along `axisY` and the y axis up to `top`.
    static func axisLines(left: Double, top: Double, axisY: Double, plotWidth: Double) -> String {
        let q = HTML.attribute
        return "<g class=\"axis\"><line x1=\(q(left)) y1=\(q(axisY)) x2=\(q(left + plotWidth)) y2=\(q(axisY)) "
            + "stroke=\"#000\"/><line x1=\(q(left)) y1=\(q(top)) x2=\(q(left)) y2=\(q(axisY)) stroke=\"#000\"/>"
    }

    /// Width of `text` at 11px in SVG units: 7 per character covers digits (≈6.1) and most letters (m ≈ 9,
    /// but labels mix them); plus a little for the ends.
    static func textWidth(_ text: String) -> Double {
        Double(text.count) * 7 + 2
    }

    /// A label's height at 11px: what two labels on one axis need between their baselines.
    static let lineHeight = 13.0

    /// The left margin that holds the widest y-axis label, its 4-unit gap to the axis, and 4 spare.
    static func leftMargin(_ labels: [String]) -> Double {
        max(28, (labels.map(textWidth).max() ?? 0) + 8)
    }

    /// The smallest round duration at least `seconds`, so the top tick reads "2h" or "7d".
    static func niceDuration(_ seconds: Double) -> Double {
        let steps: [Double] = [
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600,
            86_400, 2 * 86_400, 3 * 86_400, 7 * 86_400, 14 * 86_400, 30 * 86_400, 60 * 86_400, 90 * 86_400,
            180 * 86_400, 365 * 86_400,
        ]
        if let step = steps.first(where: { $0 >= seconds }) { return step }
        return (seconds / (365 * 86_400)).rounded(.up) * 365 * 86_400
    }

    /// Y-axis labels in priority order (first wins): each is kept only if its baseline is at least a line
    /// away from every label already kept.
    static func placeTicks(_ ticks: [(y: Double, text: String)]) -> [(y: Double, text: String)] {
        var kept: [(y: Double, text: String)] = []
        for tick in ticks where !kept.contains(where: { abs($0.y - tick.y) < lineHeight }) {
            kept.append(tick)
        }
        return kept
    }

    /// Labels along an x axis (centred at `x`), kept left to right only when they do not touch the previous
    /// one and fit between `minX` and `maxX`; the first and last are anchored at their ends so they stay inside.
    static func spread(_ labels: [(x: Double, text: String)], minX: Double, maxX: Double) -> [(
        x: Double, text: String, anchor: String
    )] {
        spreadIndices(labels, minX: minX, maxX: maxX).map { (x: $0.left, text: labels[$0.index].text, anchor: "start") }
    }

    /// `spread`, naming which labels were kept and where their left ends are.
    static func spreadIndices(_ labels: [(x: Double, text: String)], minX: Double, maxX: Double) -> [(
        index: Int, left: Double
    )] {
        var kept: [(index: Int, left: Double)] = []
        var lastRight = -Double.infinity
        for (index, label) in labels.enumerated() {
            let width = textWidth(label.text)
            var left = label.x - width / 2
            left = min(max(left, minX), maxX - width)
            guard left >= lastRight + 6 else { continue }
            kept.append((index: index, left: left))
            lastRight = left + width
        }
        return kept
    }
}
