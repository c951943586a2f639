// ToolSelection: which installed PostgreSQL tool serves a server of a given major version. Pure: the caller
// (PostgresTools) finds the candidates — configured bin_dir, Debian's directories, PATH — and their versions;
// ToolRequirement says which versions fit.

/// An installed tool and its major version (nil when `--version` did not tell).
public struct ToolCandidate: Equatable, Sendable {
    public let path: String
    public let major: Int?

    public init(path: String, major: Int?) {
        self.path = path
        self.major = major
    }
}

public enum ToolSelection {
    /// The first candidate (in search order) that meets `requirement`. When every installed candidate has the
    /// wrong version the error names them and the version needed; when there is none, the directories searched.
    public static func choose(
        _ tool: String, requirement: ToolRequirement, candidates: [ToolCandidate],
        searched: [String]
    ) throws -> String {
        if let chosen = candidates.first(where: { requirement.accepts($0.major) }) { return chosen.path }
        guard !candidates.isEmpty else { throw EngineError.toolMissing(tool: tool, searched: searched) }
        let found = candidates.map { "'\($0.path)' (PostgreSQL \($0.major.map(String.init) ?? "?"))" }
        throw EngineError.toolVersionMismatch(
            tool: tool, required: requirement.description, found: found,
            serverMajor: requirement.serverMajor ?? 0)
    }

    /// The major version in `tool --version` output: "pg_dump (PostgreSQL) 17.10" → 17,
    /// "psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" → 15, "18beta1" → 18, "9.6.24" → 9.
    public static func major(fromVersionOutput output: String) -> Int? {
        guard let marker = output.range(of: "(PostgreSQL) ") else { return nil }
        let digits = output[marker.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }
}
