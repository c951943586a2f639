// Reading the `compression:` section (block or flow style: `compression: { algorithm: zstd, level: 3 }`).

extension CompressionSettings {
    static let keys = ["algorithm", "level"]

    static func read(from root: MappingReader) throws -> CompressionSettings {
        guard let section = try root.mapping("compression", accepted: keys) else { return CompressionSettings() }
        let algorithm = try section.choice("algorithm", of: Algorithm.self) ?? .zstd
        let level = try section.int("level")
        switch (algorithm, level) {
        case (.none, .some):
            throw section.invalid(
                "level", value: level.map(String.init), accepted: "no level with 'algorithm: none'",
                hint: "remove 'level' or set 'algorithm: zstd'")
        case (.zstd, let level?) where !zstdLevels.contains(level):
            throw section.invalid(
                "level", value: String(level),
                accepted: "\(zstdLevels.lowerBound)...\(zstdLevels.upperBound) for zstd",
                hint: "3 is a good default; higher levels are slower for little gain")
        default:
            return CompressionSettings(algorithm: algorithm, level: level)
        }
    }
}
