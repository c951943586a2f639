// ConfigLocator: decides which configuration file a run uses, in the documented order:
// `--config FILE`, then `./lifeboat.yml`, then `$LIFEBOAT_CONFIG`, then `/etc/lifeboat/lifeboat.yml`.
import Foundation

public enum ConfigLocator {
    public static let environmentVariable = "LIFEBOAT_CONFIG"
    public static let localFileName = "lifeboat.yml"
    public static let systemPath = "/etc/lifeboat/lifeboat.yml"

    /// The absolute path of the configuration file to use. An explicit path or `$LIFEBOAT_CONFIG` that does not
    /// exist is an error rather than a reason to fall back: the user asked for that file. Throws
    /// `ConfigError.fileNotFound` listing every place searched, in order.
    public static func resolve(
        explicit: String?,
        environment: [String: String],
        currentDirectory: String,
        systemPath: String = ConfigLocator.systemPath
    ) throws -> String {
        if let explicit {
            return try existing(explicit.isEmpty ? explicit : absolute(explicit, currentDirectory), searched: [])
        }
        let local = absolute(localFileName, currentDirectory)
        if exists(local) { return local }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return try existing(absolute(fromEnvironment, currentDirectory), searched: [local])
        }
        return try existing(systemPath, searched: [local])
    }

    private static func existing(_ path: String, searched: [String]) throws -> String {
        guard !path.isEmpty, exists(path) else { throw ConfigError.fileNotFound(searched: searched + [path]) }
        return path
    }

    private static func absolute(_ path: String, _ currentDirectory: String) -> String {
        PathResolver.resolve(path, relativeTo: currentDirectory)
    }

    private static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }
}
