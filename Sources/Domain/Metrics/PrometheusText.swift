// PrometheusText: renders samples in the text exposition format node_exporter's textfile collector reads
// (HELP and TYPE once per family, families sorted, label values escaped), and reads back a file it wrote, so a
// command can update its own samples while keeping every other operation's.
import Foundation

public enum PrometheusText {
    public static func render(_ samples: [MetricSample]) -> String {
        var output = ""
        let families = Dictionary(grouping: samples, by: \.name)
        for name in families.keys.sorted() {
            let family = families[name]!.sorted { $0.identity < $1.identity }
            output += "# HELP \(name) \(escapeHelp(family[0].help))\n# TYPE \(name) \(family[0].kind.rawValue)\n"
            for sample in family { output += "\(sample.identity) \(format(sample.value))\n" }
        }
        return output
    }

    /// Samples of a file written by `render` (HELP and TYPE reattached); lines it cannot read are dropped.
    public static func parse(_ text: String) -> [MetricSample] {
        var help: [String: String] = [:]
        var kinds: [String: MetricSample.Kind] = [:]
        var samples: [MetricSample] = []
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7).split(separator: " ", maxSplits: 1).map(String.init)
                if rest.count == 2 { help[rest[0]] = unescapeHelp(rest[1]) }
            } else if line.hasPrefix("# TYPE ") {
                let rest = line.dropFirst(7).split(separator: " ").map(String.init)
                if rest.count == 2 { kinds[rest[0]] = MetricSample.Kind(rawValue: rest[1]) }
            } else if !line.hasPrefix("#"), let sample = parseSample(line) {
                samples.append(sample)
            }
        }
        return samples.map { sample in
            var sample = sample
            sample.help = help[sample.name] ?? sample.help
            sample.kind = kinds[sample.name] ?? sample.kind
            return sample
        }
    }

    /// `{a="x",b="y"}`, empty without labels.
    public static func labelText(_ labels: [(String, String)]) -> String {
        labels.isEmpty ? "" : "{" + labels.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func unescapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\\\", with: "\\")
    }

    static func parseSample(_ line: String) -> MetricSample? {
        guard let space = line.lastIndex(of: " ") else { return nil }
        let head = String(line[..<space])
        let valueText = String(line[line.index(after: space)...])
        let value: Double? = valueText == "+Inf" ? .infinity : valueText == "-Inf" ? -.infinity : Double(valueText)
        guard let value else { return nil }
        guard let brace = head.firstIndex(of: "{") else { return MetricSample(head, [], value, help: "") }
        guard head.hasSuffix("}") else { return nil }
        let name = String(head[..<brace])
        guard let labels = parseLabels(String(head[head.index(after: brace)..<head.index(before: head.endIndex)]))
        else { return nil }
        return MetricSample(name, labels, value, help: "")
    }

    /// `a="x",b="y\"z"` → pairs; nil when malformed.
    static func parseLabels(_ text: String) -> [(String, String)]? {
        var labels: [(String, String)] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            guard let equals = characters[index...].firstIndex(of: "="), equals + 1 < characters.count,
                characters[equals + 1] == "\""
            else { return nil }
            let key = String(characters[index..<equals])
            var value = ""
            var position = equals + 2
            var closed = false
            while position < characters.count {
                let character = characters[position]
                if character == "\\", position + 1 < characters.count {
                    let next = characters[position + 1]
                    value.append(next == "n" ? "\n" : next)
                    position += 2
                } else if character == "\"" {
                    closed = true
                    position += 1
                    break
                } else {
                    value.append(character)
                    position += 1
                }
            }
            guard closed else { return nil }
            labels.append((key, value))
            if position < characters.count, characters[position] == "," { position += 1 }
            index = position
        }
        return labels
    }
}
