// PolicyLoader: reads a policy file (policies/README.md) into a RetentionPolicy, or a ConfigError naming the
// file, line, key and accepted values (exit 2), like ConfigLoader does for lifeboat.yml.
import Foundation
import Policy

public enum PolicyLoader {
    static let topLevelKeys = ["name", "timezone", "objectives", "safety", "keep", "wal", "tiering", "immutability"]
    static let timeZoneForm = "an IANA time zone name such as 'UTC', 'Europe/Berlin' or 'America/New_York'"

    /// Reads and validates the policy file at `path` (relative paths are taken from the current directory).
    public static func load(path: String) throws -> RetentionPolicy {
        guard !path.isEmpty else { throw ConfigError.fileNotFound(searched: [path]) }
        let absolute = PathResolver.resolve(path, relativeTo: FileManager.default.currentDirectoryPath)
        return try parse(yaml: ConfigLoader.readText(at: absolute), sourcePath: absolute)
    }

    /// Validates YAML text as if read from `sourcePath`, which errors name and the default policy name comes from.
    public static func parse(yaml: String, sourcePath: String) throws -> RetentionPolicy {
        let root = try topLevel(yaml: yaml, file: sourcePath)
        return RetentionPolicy(
            name: try name(in: root, sourcePath: sourcePath),
            sourcePath: sourcePath,
            timeZone: try timeZone(in: root),
            objectives: try objectives(in: root),
            safety: try safety(in: root),
            keep: try KeepRules.readAll(from: root),
            wal: try wal(in: root),
            tiering: try TieringRule.readAll(from: root),
            immutability: try immutability(in: root))
    }

    /// "15m", "24h", "7d", "2w", "90s", "1h30m" → seconds; nil when not a duration.
    public static func parseDuration(_ text: String) -> TimeInterval? {
        DurationText.parse(text)
    }

    // MARK: - document

    private static func topLevel(yaml: String, file: String) throws -> MappingReader {
        try MappingReader.document(
            yaml: yaml, file: file, accepted: topLevelKeys,
            whenEmpty: "the policy file is empty; expected sections such as 'keep:', 'wal:', 'safety:'",
            expected: "a mapping of sections such as 'keep:'")
    }

    // MARK: - sections

    private static func name(in root: MappingReader, sourcePath: String) throws -> String {
        if let name = try root.string("name") { return name }
        return URL(fileURLWithPath: sourcePath).deletingPathExtension().lastPathComponent
    }

    private static func timeZone(in root: MappingReader) throws -> TimeZone {
        guard let text = try root.string("timezone") else { return TimeZone(identifier: "UTC")! }
        guard let zone = TimeZone(identifier: text) else {
            throw root.invalid(
                "timezone", value: text, accepted: timeZoneForm,
                hint: "names are case-sensitive, Region/City; see the tz database list of zones")
        }
        return zone
    }

    private static func objectives(in root: MappingReader) throws -> Objectives {
        guard let section = try root.mapping("objectives", accepted: ["rpo", "rto", "drill_every"]) else {
            return Objectives()
        }
        return Objectives(
            rpo: try section.duration("rpo"), rto: try section.duration("rto"),
            drillEvery: try section.duration("drill_every"))
    }

    private static func safety(in root: MappingReader) throws -> SafetyRules {
        let defaults = SafetyRules()
        guard let section = try root.mapping("safety", accepted: ["min_age", "min_complete"]) else { return defaults }
        return SafetyRules(
            minAge: try section.duration("min_age", allowZero: true) ?? defaults.minAge,
            minComplete: try section.count(
                "min_complete", minimum: 1,
                hint: "the newest complete backup is always kept; 1 is the least") ?? defaults.minComplete)
    }

    private static func wal(in root: MappingReader) throws -> WALRetention {
        guard let section = try root.mapping("wal", accepted: ["pitr_window"]) else { return WALRetention() }
        return WALRetention(pitrWindow: try section.duration("pitr_window"))
    }

    private static func immutability(in root: MappingReader) throws -> Immutability? {
        guard let section = try root.mapping("immutability", accepted: ["mode", "days"]) else { return nil }
        let text = try section.requiredString(
            "mode", hint: "add 'mode: governance' (or 'compliance', which no one can shorten)")
        guard let mode = ObjectLockMode(rawValue: text.uppercased()) else {
            throw section.invalid("mode", value: text, accepted: "'governance', 'compliance'")
        }
        guard let days = try section.count("days", minimum: 1) else {
            throw section.missing("days", hint: "add 'days: 7' (how long each upload stays locked)")
        }
        return Immutability(mode: mode, days: days)
    }
}
