// Reading the `encryption:` section: exactly one of `key_file` and `passphrase_env`.

extension EncryptionSettings {
    static let keys = ["key_file", "passphrase_env"]
    static let sectionHint =
        "add 'key_file: PATH' (create one with 'lifeboat key generate --output PATH') or 'passphrase_env: VARIABLE' under 'encryption:'"

    static func read(from root: MappingReader, baseDirectory: String) throws -> EncryptionSettings {
        guard let section = try root.mapping("encryption", accepted: keys) else {
            throw root.missing("encryption", hint: sectionHint)
        }
        switch (section.has("key_file"), section.has("passphrase_env")) {
        case (true, true):
            throw ConfigError.invalidValue(
                key: section.path, at: section.ownLocation, value: nil,
                accepted: "exactly one of 'key_file' or 'passphrase_env'", hint: "remove one of them")
        case (false, false):
            throw section.missing("key_file", hint: sectionHint)
        case (true, false):
            let path = try ConfigLoader.path("key_file", in: section, baseDirectory: baseDirectory)
            return .keyFile(path: path ?? "")
        case (false, true):
            return .passphraseEnvironment(name: try environmentName(in: section))
        }
    }

    /// The value is never shown: someone who writes the passphrase itself here must not see it echoed.
    private static func environmentName(in section: MappingReader) throws -> String {
        let name = try section.requiredString("passphrase_env", showValue: false, hint: sectionHint)
        guard NameRules.isValidEnvironmentName(name) else {
            throw section.invalid(
                "passphrase_env", value: nil, accepted: NameRules.environmentRule,
                hint:
                    "write the name of the variable (e.g. 'LIFEBOAT_PASSPHRASE'), not the passphrase; the value is not shown in case it is one"
            )
        }
        return name
    }
}
