// PostgresTools: finds pg_dump, pg_restore, pg_dumpall and psql (configured bin_dir, then the Debian directory
// of the server's major version, then PATH) and builds their environment: the password, when the configured
// URL has one, travels in PGPASSWORD, never in arguments. `environment` is already without the repository's
// secrets (EngineContext.toolEnvironment).
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

    public func path(_ tool: String) throws -> String {
        // A configured bin_dir is authoritative; otherwise prefer the tools matching the server's major version.
        var directories: [String] = []
        if let binDir {
            directories = [binDir]
        } else {
            if let serverMajor { directories.append("/usr/lib/postgresql/\(serverMajor)/bin") }
            directories += (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        }
        for directory in directories {
            let candidate = directory + "/" + tool
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw EngineError.toolMissing(tool: tool, searched: directories)
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
