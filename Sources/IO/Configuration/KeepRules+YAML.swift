// KeepRules+YAML: the `keep:` section of a policy file, one mapping of GFS rules per backup type.
import Foundation
import Policy

extension KeepRules {
    static let keys = ["last", "hourly", "daily", "weekly", "monthly", "yearly", "within"]
    static let countHint = "a count of 0 keeps nothing; remove the key instead"

    /// `keep:` → rules per type. Types without a mapping have no rules (every backup of them is kept).
    static func readAll(from root: MappingReader) throws -> [BackupTypeSetting: KeepRules] {
        let types = BackupTypeSetting.allCases.map(\.rawValue)
        guard let section = try root.mapping("keep", accepted: types) else { return [:] }
        var rules: [BackupTypeSetting: KeepRules] = [:]
        for type in BackupTypeSetting.allCases {
            guard let mapping = try section.mapping(type.rawValue, accepted: keys) else { continue }
            rules[type] = try read(from: mapping)
        }
        return rules
    }

    private static func read(from section: MappingReader) throws -> KeepRules {
        let rules = KeepRules(
            last: try section.count("last", minimum: 1, hint: countHint),
            hourly: try section.count("hourly", minimum: 1, hint: countHint),
            daily: try section.count("daily", minimum: 1, hint: countHint),
            weekly: try section.count("weekly", minimum: 1, hint: countHint),
            monthly: try section.count("monthly", minimum: 1, hint: countHint),
            yearly: try section.count("yearly", minimum: 1, hint: countHint),
            within: try section.duration("within"))
        // An empty mapping would silently mean "keep everything"; say so instead of guessing.
        guard rules != KeepRules() else {
            throw ConfigError.invalidValue(
                key: section.path, at: section.ownLocation, value: nil,
                accepted: "at least one of " + keys.map { "'\($0)'" }.joined(separator: ", "),
                hint: "remove '\(section.path)' to keep every backup of this type")
        }
        return rules
    }
}
