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
        case let .fileNotFound(searched):
            if searched.count == 1, let only = searched.first {
                return "configuration file '\(only)' does not exist"
            }
            return "no configuration file found; searched " + searched.map { "'\($0)'" }.joined(separator: ", ")
        case let .unreadable(path, reason):
            return "cannot read configuration file '\(path)': \(reason)"
        case let .syntax(file, line, problem):
            return "invalid yaml in '\(file)' line \(line): \(problem)"
        case let .unknownKey(key, at, accepted):
            let list = accepted.map { "'\($0)'" }.joined(separator: ", ")
            return "unknown key '\(key)' in \(at); accepted keys here: \(list)"
        case let .duplicateKey(key, at):
            return "duplicate key '\(key)' in \(at)"
        case let .wrongType(key, at, expected, found):
            return "'\(key)' in \(at) must be \(expected), found \(found)"
        case let .invalidValue(key, at, value, accepted, _):
            let shown = value.map { " '\($0)'" } ?? ""
            let place = at.map { " in \($0)" } ?? ""
            return "invalid value\(shown) for '\(key)'\(place); accepted: \(accepted)"
        case let .missingKey(key, at, _):
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
        case let .unknownKey(key, _, accepted):
            return Self.unknownKeyHint(key: key, accepted: accepted)
        case .duplicateKey:
            return "keep only one of them"
        case let .wrongType(key, _, expected, _):
            return "set '\(key)' to \(expected) (see README 'Configuration')"
        case let .invalidValue(_, _, _, _, hint):
            return hint ?? "use one of the accepted values"
        case let .missingKey(_, _, hint):
            return hint
        }
    }

    /// The same error, placed in the file it came from (for values parsed outside a file, such as URLs).
    func located(at location: SourceLocation) -> ConfigError {
        guard case let .invalidValue(key, nil, value, accepted, hint) = self else { return self }
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
