// Reading the `backup:` section: the default backup type and the databases of logical backups.
import Policy

extension BackupSettings {
    static let keys = ["type", "databases", "incremental"]
    static let incrementalKeys = ["full_every", "max_chain"]

    static func read(from root: MappingReader) throws -> BackupSettings {
        guard let section = try root.mapping("backup", accepted: keys) else { return BackupSettings() }
        let type = try section.choice("type", of: BackupTypeSetting.self) ?? .logical
        return BackupSettings(
            type: type, databases: try databases(in: section), incremental: try incremental(in: section))
    }

    /// `incremental: { full_every: 7d, max_chain: 14 }`; `incremental: {}` takes both defaults.
    private static func incremental(in section: MappingReader) throws -> IncrementalSettings? {
        guard let mapping = try section.mapping("incremental", accepted: incrementalKeys) else { return nil }
        return IncrementalSettings(
            fullEvery: try mapping.duration("full_every") ?? IncrementalSettings.defaultFullEvery,
            maxChain: try mapping.count(
                "max_chain", minimum: 1, hint: "remove backup.incremental to take only full snapshots")
                ?? IncrementalSettings.defaultMaxChain)
    }

    private static func databases(in section: MappingReader) throws -> [String] {
        guard let items = try section.scalarList("databases", expected: "a list of database names") else { return [] }
        var seen: Set<String> = []
        for item in items {
            let location = SourceLocation(file: section.file, line: item.line)
            guard NameRules.isValidDatabase(item.text) else {
                throw ConfigError.invalidValue(
                    key: section.keyPath("databases"), at: location,
                    value: SecretRedactor.redact(item.text), accepted: NameRules.databaseRule, hint: nil)
            }
            guard seen.insert(item.text).inserted else {
                throw ConfigError.invalidValue(
                    key: section.keyPath("databases"), at: location, value: SecretRedactor.redact(item.text),
                    accepted: "each database once", hint: "remove the repeated name")
            }
        }
        return items.map(\.text)
    }
}
