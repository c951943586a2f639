// MappingReader+PolicyValues: the typed values policy files are made of (durations, counts of at least one, closed word
// lists), read through MappingReader so every error carries the file, line and key path.
import Foundation
import Policy

extension MappingReader {
    /// A duration such as "15m" or "7d" in seconds; nil when absent. `allowZero` for safety margins, where
    /// "0s" meaningfully switches the margin off; everywhere else a zero duration is a mistake.
    func duration(_ key: String, allowZero: Bool = false) throws -> TimeInterval? {
        guard let node = node(key) else { return nil }
        guard let scalar = node.scalar else { throw wrongType(key, expected: "a duration such as '7d'", found: node) }
        let text = scalar.string
        guard let seconds = DurationText.parse(text) else {
            let hint =
                DurationText.usesCalendarUnit(text)
                ? DurationText.calendarUnitHint
                : "write a number and a unit without spaces, e.g. '15m', '1h30m', '7d'"
            throw invalid(key, value: text, accepted: DurationText.acceptedForms, hint: hint)
        }
        guard allowZero || seconds > 0 else {
            throw invalid(
                key, value: text, accepted: "a duration longer than zero (e.g. '15m', '7d')",
                hint: "remove the key to leave it unset")
        }
        return seconds
    }

    /// An integer that must be at least `minimum`; nil when absent.
    func count(_ key: String, minimum: Int, hint: String? = nil) throws -> Int? {
        guard let value = try int(key) else { return nil }
        guard value >= minimum else {
            throw invalid(key, value: String(value), accepted: "an integer of at least \(minimum)", hint: hint)
        }
        return value
    }

    /// A list of words from a closed set (`kept_by: [monthly, yearly]`), each named once.
    func wordList<Value: RawRepresentable & CaseIterable>(_ key: String, of type: Value.Type) throws -> [Value]?
    where Value.RawValue == String {
        let accepted = Value.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        guard let items = try scalarList(key, expected: "a list of \(accepted)") else { return nil }
        var values: [Value] = []
        for item in items {
            let location = SourceLocation(file: file, line: item.line)
            guard let value = Value(rawValue: item.text) else {
                throw ConfigError.invalidValue(
                    key: keyPath(key), at: location, value: item.text,
                    accepted: accepted, hint: nil)
            }
            guard !values.contains(where: { $0.rawValue == value.rawValue }) else {
                throw ConfigError.invalidValue(
                    key: keyPath(key), at: location, value: item.text,
                    accepted: "each value once", hint: "remove the repeated value")
            }
            values.append(value)
        }
        guard !values.isEmpty else {
            throw invalid(
                key, value: nil, accepted: "a non-empty list of \(accepted)", hint: "remove the key to mean all")
        }
        return values
    }
}
