// ConfigLoader: reads lifeboat.yml and turns it into a validated LifeboatConfig, or a ConfigError that names
// the file, line, key and accepted values. The YAML is composed into nodes (not decoded) so every check knows
// its line.
import Foundation
import Yams

public enum ConfigLoader {
    /// Larger files are refused: a configuration is a few hundred bytes, and `--config /dev/zero` must not hang.
    static let maximumFileSize = 1 << 20
    static let topLevelKeys = [
        "cluster", "postgres", "repository", "encryption", "compression", "backup", "wal", "restore", "policy",
    ]

    /// Reads and validates the configuration file at `path` (relative paths are taken from the current
    /// directory). Relative paths inside the file are resolved against the file's directory.
    public static func load(path: String) throws -> LifeboatConfig {
        guard !path.isEmpty else { throw ConfigError.fileNotFound(searched: [path]) }
        let absolute = PathResolver.resolve(path, relativeTo: FileManager.default.currentDirectoryPath)
        return try parse(yaml: readText(at: absolute), sourcePath: absolute)
    }

    /// Validates YAML text as if read from `sourcePath`, which errors name and relative paths are resolved
    /// against (pass an absolute path).
    public static func parse(yaml: String, sourcePath: String) throws -> LifeboatConfig {
        let root = try topLevel(yaml: yaml, file: sourcePath)
        let baseDirectory = PathResolver.directory(of: sourcePath)
        let compression = try CompressionSettings.read(from: root)
        let cluster = try cluster(from: root)
        let postgres = try PostgresSettings.read(from: root, baseDirectory: baseDirectory)
        return LifeboatConfig(
            cluster: cluster,
            postgres: postgres,
            repository: try RepositorySettings.read(from: root, baseDirectory: baseDirectory),
            encryption: try EncryptionSettings.read(from: root, baseDirectory: baseDirectory),
            compression: compression,
            backup: try BackupSettings.read(from: root, standbyConfigured: postgres.standbyURL != nil),
            wal: try WALSettings.read(from: root, baseDirectory: baseDirectory, compression: compression),
            restore: try RestoreSettings.read(from: root),
            policyPath: try path("policy", in: root, baseDirectory: baseDirectory),
            sourcePath: sourcePath
        )
    }

    // MARK: - document

    private static func topLevel(yaml: String, file: String) throws -> MappingReader {
        try MappingReader.document(
            yaml: yaml, file: file, accepted: topLevelKeys,
            whenEmpty: "the file is empty; expected settings such as 'cluster:', 'postgres:', 'repository:'",
            expected: "a mapping of settings such as 'cluster: main'")
    }

    static func readText(at path: String) throws -> String {
        guard let text = String(data: try readData(at: path), encoding: .utf8) else {
            throw ConfigError.unreadable(path: path, reason: "it is not valid UTF-8 text")
        }
        return text
    }

    /// The file's bytes, with the same refusals as `readText` except the UTF-8 check (drill files hash these
    /// exact bytes for their digest).
    static func readData(at path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError.fileNotFound(searched: [path])
        }
        guard !isDirectory.boolValue else { throw ConfigError.unreadable(path: path, reason: "it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ConfigError.unreadable(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumFileSize + 1) ?? Data()
        } catch {
            throw ConfigError.unreadable(path: path, reason: "read failed")
        }
        guard data.count <= maximumFileSize else {
            throw ConfigError.unreadable(path: path, reason: "it is larger than 1 MiB")
        }
        return data
    }

    // MARK: - top-level scalars

    private static func cluster(from root: MappingReader) throws -> String {
        let name = try root.requiredString(
            "cluster", hint: "add 'cluster: main' (the name of this cluster inside the repository) at the top level")
        guard NameRules.isValidCluster(name) else {
            throw root.invalid("cluster", value: name, accepted: NameRules.clusterRule)
        }
        return name
    }

    /// A path value resolved against the configuration file's directory. `~` is refused rather than guessed:
    /// the file may be read by a different user (root, postgres) than the one who wrote it.
    static func path(_ key: String, in reader: MappingReader, baseDirectory: String) throws -> String? {
        guard let text = try reader.string(key) else { return nil }
        guard !text.hasPrefix("~") else {
            throw reader.invalid(
                key, value: text, accepted: "an absolute path, or a path relative to the configuration file",
                hint: "'~' is not expanded; write the full path")
        }
        guard !text.contains("\0") else {
            throw reader.invalid(key, value: nil, accepted: "a path without NUL characters")
        }
        return PathResolver.resolve(text, relativeTo: baseDirectory)
    }
}
