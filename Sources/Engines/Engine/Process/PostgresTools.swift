// PostgresTools: finds pg_dump, pg_restore, pg_dumpall, psql, initdb and pg_ctl for a server of a given major
// version and builds their environment: the password, when the configured URL has one, travels in PGPASSWORD,
// never in arguments. `environment` is already without the repository's secrets (EngineContext.toolEnvironment).
// A configured bin_dir is the only place looked at; otherwise the Debian directory of the server's major, PATH,
// then the Debian directories of newer majors. Each tool found is asked its version (ToolVersionProbe) and the
// first that fits the server (ToolRequirement) is used, so an older pg_dump on PATH never meets a newer server.
import Foundation
import PGClient

public struct PostgresTools: Sendable {
    public let binDir: String?
    public let serverMajor: Int?
    public let environment: [String: String]

    public init(binDir: String?, serverMajor: Int?, environment: [String: String]) {
        self.binDir = binDir
        self.serverMajor = serverMajor
        self.environment = environment
    }

    /// Debian installs each major's binaries in its own directory.
    static let debianRoot = "/usr/lib/postgresql"

    /// The directories looked in, in order.
    public var searchDirectories: [String] {
        if let binDir { return [binDir] }
        var directories: [String] = []
        if let serverMajor { directories.append("\(Self.debianRoot)/\(serverMajor)/bin") }
        directories += (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        // Newer majors' clients also serve an older server; older majors are never useful, so not listed.
        let installed = (try? FileManager.default.contentsOfDirectory(atPath: Self.debianRoot)) ?? []
        let newer = installed.compactMap(Int.init).filter { major in serverMajor.map { major > $0 } ?? false }
        directories += newer.sorted().map { "\(Self.debianRoot)/\($0)/bin" }
        return directories
    }

    public func path(_ tool: String) throws -> String {
        let directories = searchDirectories
        // The same file through another directory (/bin is /usr/bin on merged-/usr systems) is listed once.
        var seen = Set<String>()
        let paths = directories.map { $0 + "/" + tool }.filter { path in
            FileManager.default.isExecutableFile(atPath: path)
                && seen.insert(URL(fileURLWithPath: path).resolvingSymlinksInPath().path).inserted
        }
        let requirement = ToolRequirement.forTool(tool, serverMajor: serverMajor)
        // Versions are only asked for when they matter, lazily, so the common case runs one probe at most.
        var candidates: [ToolCandidate] = []
        for path in paths {
            let candidate = ToolCandidate(path: path, major: requirement == .any ? nil : probe.major(of: path))
            if requirement.accepts(candidate.major) { return path }
            candidates.append(candidate)
        }
        return try ToolSelection.choose(tool, requirement: requirement, candidates: candidates, searched: directories)
    }

    var probe: ToolVersionProbe {
        // The probe runs with the environment the tool gets for real work (PGAPPNAME included), minus any password.
        var probeEnvironment = environment
        probeEnvironment["PGAPPNAME"] = "lifeboat"
        return ToolVersionProbe(environment: probeEnvironment)
    }

    /// The environment for a child tool connecting with `connection`.
    public func childEnvironment(for connection: ConnectionInfo) -> [String: String] {
        var result = environment
        if let password = connection.password { result["PGPASSWORD"] = password }
        result["PGAPPNAME"] = "lifeboat"
        return result
    }

    /// `--dbname=` argument: the connection without its password (that goes through the environment).
    public static func databaseArgument(_ connection: ConnectionInfo) -> String {
        "--dbname=" + connection.withoutPassword().keywordString
    }
}
