// HTML: escaping and the few element helpers the HTML report and its SVG charts share. Every string that
// comes from outside (cluster, drill and backup names, reasons, key ids) goes through `escape`; numbers and
// fixed words need not, but escaping them too costs nothing.
import Foundation

enum HTML {
    /// A number as a quoted SVG attribute value.
    static func attribute(_ value: Double) -> String {
        "\"\(number(value))\""
    }

    /// The CSS class of a verdict banner (HTMLStyle colours it), for one cluster's report and the fleet's alike.
    static func bannerClass(_ status: OverallVerdict) -> String {
        switch status {
        case .compliant: return "compliant"
        case .notCompliant: return "noncompliant"
        case .insufficientHistory: return "insufficient"
        }
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A table with escaped header and cells; `bad` marks a cell (class "bad": bold, red on screen) by row and column.
    static func table(
        _ header: [String], _ rows: [[String]], id: String? = nil,
        bad: (_ row: Int, _ column: Int) -> Bool = { _, _ in false }
    ) -> String {
        var html =
            "<table\(id.map { " id=\"\(escape($0))\"" } ?? "")><thead><tr>"
            + header.map { "<th>\(escape($0))</th>" }.joined()
            + "</tr></thead><tbody>"
        for (r, row) in rows.enumerated() {
            html +=
                "<tr>"
                + row.enumerated().map { c, value in
                    bad(r, c) ? "<td class=\"bad\">\(escape(value))</td>" : "<td>\(escape(value))</td>"
                }.joined() + "</tr>"
        }
        return html + "</tbody></table>\n"
    }

    /// Key/value table for the small sections: the key is a row header, and there is no (empty) header row.
    static func facts(_ rows: [(String, String)], bad: Set<String> = [], id: String? = nil) -> String {
        "<table class=\"facts\"\(id.map { " id=\"\(escape($0))\"" } ?? "")><tbody>"
            + rows.map { key, value in
                "<tr><th scope=\"row\">\(escape(key))</th>" + (bad.contains(key) ? "<td class=\"bad\">" : "<td>")
                    + "\(escape(value))</td></tr>"
            }.joined() + "</tbody></table>\n"
    }

    /// SVG numbers: short, locale-independent.
    static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
