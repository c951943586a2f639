// Configuration errors: every problem in lifeboat.yml names the file, the line, the key path and what would
// have been accepted, so a user can fix the file without reading the source. All map to exit status 2.
import Diagnostics

/// Where in a configuration file a problem was found (lines start at 1).
public struct SourceLocation: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "'\(file)' line \(line)" }
}

/// A problem with finding, reading or validating the configuration file.
///
/// Values carried here have already been passed through `SecretRedactor`; the postgres URL is never carried.
public enum ConfigError: LifeboatError, Equatable {
    /// No configuration file exists at any of the places searched (in search order).
    case fileNotFound(searched: [String])
    /// The file exists but cannot be used (permissions, a directory, too large, not UTF-8).
    case unreadable(path: String, reason: String)
    /// The YAML itself is malformed.
    case syntax(file: String, line: Int, problem: String)
    /// A key that is not accepted at its level; `accepted` lists the keys that are.
    case unknownKey(key: String, at: SourceLocation, accepted: [String])
    /// A key appears twice in the same mapping.
    case duplicateKey(key: String, at: SourceLocation)
    /// A value of the wrong YAML type: `expected` and `found` are phrases such as "an integer", "a mapping".
    case wrongType(key: String, at: SourceLocation, expected: String, found: String)
    /// A value of the right type that is not allowed. `value` is nil when it must not be shown (secrets) or
    /// when the problem concerns a combination of keys; `at` is nil when parsing a value outside a file.
    case invalidValue(key: String, at: SourceLocation?, value: String?, accepted: String, hint: String?)
    /// A required key is absent; `at` points at the mapping that should contain it.
    case missingKey(key: String, at: SourceLocation, hint: String)

    public var exitStatus: ExitStatus { .usage }

    public var message: String {
        switch self {
        case .fileNotFound(let searched):
            if searched.count == 1, let only = searched.first {
                return "configuration file '\(only)' does not exist"
            }
            return "no configuration file found; searched " + searched.map { "'\($0)'" }.joined(separator: ", ")
        case .unreadable(let path, let reason):
            return "cannot read configuration file '\(path)': \(reason)"
        case .syntax(let file, let line, let problem):
            return "invalid yaml in '\(file)' line \(line): \(problem)"
        case .unknownKey(let key, let at, let accepted):
            let list = accepted.map { "'\($0)'" }.joined(separator: ", ")
            return "unknown key '\(key)' in \(at); accepted keys here: \(list)"
        case .duplicateKey(let key, let at):
            return "duplicate key '\(key)' in \(at)"
        case .wrongType(let key, let at, let expected, let found):
            return "'\(key)' in \(at) must be \(expected), found \(found)"
        case .invalidValue(let key, let at, let value, let accepted, _):
            let shown = value.map { " '\($0)'" } ?? ""
            let place = at.map { " in \($0)" } ?? ""
            return "invalid value\(shown) for '\(key)'\(place); accepted: \(accepted)"
        case .missingKey(let key, let at, _):
            return "missing required key '\(key)' in \(at)"
        }
    }

    public var hint: String? {
        switch self {
        case .fileNotFound:
            return "create one (see README 'Configuration') or pass --config FILE"
        case .unreadable:
            return "check the path and its permissions; the file must be UTF-8 text"
        case .syntax:
            return "fix the yaml on that line: indent with spaces, and quote values that contain ': ' or ' #'"
        case .unknownKey(let key, _, let accepted):
            return Self.unknownKeyHint(key: key, accepted: accepted)
        case .duplicateKey:
            return "keep only one of them"
        case .wrongType(let key, _, let expected, _):
            return "set '\(key)' to \(expected) (see README 'Configuration')"
        case .invalidValue(_, _, _, _, let hint):
            return hint ?? "use one of the accepted values"
        case .missingKey(_, _, let hint):
            return hint
        }
    }

    /// The same error, placed in the file it came from (for values parsed outside a file, such as URLs).
    func located(at location: SourceLocation) -> ConfigError {
        guard case .invalidValue(let key, nil, let value, let accepted, let hint) = self else { return self }
        return .invalidValue(key: key, at: location, value: value, accepted: accepted, hint: hint)
    }

    private static func unknownKeyHint(key: String, accepted: [String]) -> String {
        let leaf = key.split(separator: ".").last.map(String.init) ?? key
        if let guess = Spelling.closest(to: leaf, among: accepted) {
            return "did you mean '\(guess)'? otherwise remove the key (see README 'Configuration')"
        }
        return "remove the key or move it to the section it belongs to (see README 'Configuration')"
    }
}
