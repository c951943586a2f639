// Reading the `restore:` section: how a snapshot restore writes its files.

extension RestoreSettings {
    static let keys = ["direct_io"]

    static func read(from root: MappingReader) throws -> RestoreSettings {
        guard let section = try root.mapping("restore", accepted: keys) else { return RestoreSettings() }
        return RestoreSettings(directIO: try section.bool("direct_io") ?? true)
    }
}
