// Reading the `backup:` section: the default backup type and the databases of logical backups.
import Policy

extension BackupSettings {
    static let keys = ["type", "databases"]

    static func read(from root: MappingReader) throws -> BackupSettings {
        guard let section = try root.mapping("backup", accepted: keys) else { return BackupSettings() }
        let type = try section.choice("type", of: BackupTypeSetting.self) ?? .logical
        return BackupSettings(type: type, databases: try databases(in: section))
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
