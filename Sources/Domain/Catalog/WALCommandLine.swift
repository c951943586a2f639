// WALCommandLine: the simple argument shapes PostgreSQL runs once per WAL file — `wal get NAME DEST` and
// `wal push PATH`, with global options (`--config FILE`, `--json`, …) — recognised without ArgumentParser, whose
// parse of the whole command tree (reflection over every command's properties) is a noticeable part of a
// process that runs once per segment. Pure: arguments in, a recognised shape or nil out. Nil means "let
// ArgumentParser decide" (help, `--`, an unknown, repeated or malformed option, a value that looks like an
// option, the wrong number of arguments), so every message about bad usage stays ArgumentParser's.
public struct WALCommandLine: Equatable, Sendable {
    public enum Subcommand: String, Sendable {
        case get
        case push
    }

    public var subcommand: Subcommand
    /// `[NAME, DEST]` for get, `[PATH]` for push.
    public var positionals: [String]
    /// Valued global options by long name without dashes (`config`, `log-format`, `metrics-file`).
    public var values: [String: String]
    /// Global flags given (`json`, `quiet`, `no-progress`).
    public var flags: Set<String>

    public static let valuedOptions: Set<String> = ["config", "log-format", "metrics-file"]
    public static let flagOptions: Set<String> = ["json", "quiet", "no-progress"]

    /// The shape of `arguments` (the command line without the executable, global options already moved after
    /// the command words), or nil when it is anything but the simple one.
    public init?(_ arguments: [String]) {
        guard arguments.count >= 2, arguments[0] == "wal", let subcommand = Subcommand(rawValue: arguments[1]) else {
            return nil
        }
        self.subcommand = subcommand
        positionals = []
        values = [:]
        flags = []
        var index = 2
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-") else {
                positionals.append(argument)
                continue
            }
            guard argument.hasPrefix("--"), argument.count > 2 else { return nil }
            let body = argument.dropFirst(2)
            let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            if Self.flagOptions.contains(name), parts.count == 1, flags.insert(name).inserted { continue }
            guard Self.valuedOptions.contains(name), values[name] == nil else { return nil }
            let value: String
            if parts.count == 2 {
                value = String(parts[1])
            } else {
                guard index < arguments.count else { return nil }
                value = arguments[index]
                index += 1
            }
            guard !value.isEmpty, !value.hasPrefix("-") else { return nil }
            values[name] = value
        }
        guard positionals.count == (subcommand == .get ? 2 : 1) else { return nil }
    }
}
