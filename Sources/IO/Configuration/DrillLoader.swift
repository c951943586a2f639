// DrillLoader: reads a drill file (drills/README.md) into a DrillDefinition, or a ConfigError naming the file,
// line, key and accepted values (exit 2). The sections are read in DrillRestore+YAML, DrillTarget+YAML and
// DrillChecks+YAML; the models are Policy's; the combinations that cross sections are checked here.
import Foundation
import Policy

public enum DrillLoader {
    static let topLevelKeys = [
        "name", "cluster", "restore", "target", "objectives", "checks", "cadence", "keep", "heartbeat",
    ]
    /// Drill names become part of evidence keys and scratch database names, so they follow the cluster rule.
    static let nameRule = NameRules.clusterRule

    /// Reads and validates the drill file at `path` (relative paths are taken from the current directory).
    /// `digest` hashes the file's exact bytes (lowercase hex SHA-256): Configuration links no crypto library,
    /// so the caller (the engine, with Cipher's SHA-256) supplies it.
    public static func load(path: String, digest: ([UInt8]) -> String) throws -> DrillDefinition {
        guard !path.isEmpty else { throw ConfigError.fileNotFound(searched: [path]) }
        let absolute = PathResolver.resolve(path, relativeTo: FileManager.default.currentDirectoryPath)
        let data = try ConfigLoader.readData(at: absolute)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError.unreadable(path: absolute, reason: "it is not valid UTF-8 text")
        }
        return try parse(yaml: text, sourcePath: absolute, digest: digest([UInt8](data)))
    }

    /// Validates YAML text as if read from `sourcePath` (which errors name); `digest` is recorded as given.
    public static func parse(yaml: String, sourcePath: String, digest: String) throws -> DrillDefinition {
        let root = try topLevel(yaml: yaml, file: sourcePath)
        let restore = try DrillRestore.read(from: root)
        return DrillDefinition(
            name: try name(in: root),
            sourcePath: sourcePath,
            digest: digest,
            cluster: try cluster(in: root),
            restore: restore,
            target: try DrillTarget.read(from: root, kind: restore.kind),
            objectives: try objectives(in: root),
            checks: try DrillChecks.read(from: root, kind: restore.kind),
            cadence: try root.duration("cadence"),
            keep: try root.bool("keep") ?? false,
            heartbeat: try root.bool("heartbeat") ?? false)
    }

    // MARK: - document

    private static func topLevel(yaml: String, file: String) throws -> MappingReader {
        try MappingReader.document(
            yaml: yaml, file: file, accepted: topLevelKeys,
            whenEmpty: "the drill file is empty; expected 'name:', 'restore:' and 'checks:'",
            expected: "a mapping of settings such as 'name: nightly-smoke'")
    }

    // MARK: - top-level values

    private static func name(in root: MappingReader) throws -> String {
        let name = try root.requiredString(
            "name", hint: "add 'name: nightly-smoke' at the top level (evidence and 'drill due' group runs by it)")
        guard NameRules.isValidCluster(name) else { throw root.invalid("name", value: name, accepted: nameRule) }
        return name
    }

    private static func cluster(in root: MappingReader) throws -> String? {
        guard let name = try root.string("cluster") else { return nil }
        guard NameRules.isValidCluster(name) else {
            throw root.invalid(
                "cluster", value: name, accepted: NameRules.clusterRule,
                hint: "remove the key to drill the cluster named in lifeboat.yml")
        }
        return name
    }

    private static func objectives(in root: MappingReader) throws -> DrillObjectives {
        guard let section = try root.mapping("objectives", accepted: ["rpo", "rto"]) else { return DrillObjectives() }
        return DrillObjectives(rpo: try section.duration("rpo"), rto: try section.duration("rto"))
    }
}
