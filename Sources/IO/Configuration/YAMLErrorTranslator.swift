// YAMLErrorTranslator: turns a Yams error into ConfigError.syntax with the file and line.
// Yams' own descriptions embed the whole document (the duplicate-key error of Yams 6 does, and snippets
// quote the offending line), which may hold a password, so only libyaml's problem text and the line are kept.
import Yams

enum YAMLErrorTranslator {
    static func translate(_ error: Error, file: String) -> ConfigError {
        guard let yamlError = error as? YamlError else {
            return .syntax(file: file, line: 1, problem: "the document could not be parsed")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return .syntax(file: file, line: mark.line, problem: phrase(problem, context: context, line: mark.line))
        case .reader(let problem, let offset, _, let yaml):
            return .syntax(file: file, line: line(atCharacterOffset: offset, in: yaml), problem: problem)
        default:
            // Cases that exist only in some Yams versions (duplicated keys in 6.x) are read generically.
            return genericSyntax(yamlError, file: file)
        }
    }

    /// libyaml reports an unclosed quote or bracket where the input ends; the context says where it began.
    private static func phrase(_ problem: String, context: YamlError.Context?, line: Int) -> String {
        guard let context, !context.text.isEmpty else { return problem }
        guard context.mark.line != line else { return "\(problem) (\(context.text))" }
        return "\(problem) (\(context.text) that starts on line \(context.mark.line))"
    }

    private static func line(atCharacterOffset offset: Int?, in yaml: String) -> Int {
        guard let offset else { return 1 }
        return yaml.prefix(offset).reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
    }

    /// Finds the `Mark` and, for duplicate keys, the key names inside an error case by reflection, so the
    /// same code builds against Yams 5 (no such case; MappingReader finds duplicates) and Yams 6.
    private static func genericSyntax(_ error: YamlError, file: String) -> ConfigError {
        let line = firstValue(of: Mark.self, in: error, depth: 4)?.line ?? 1
        if let duplicates = firstValue(of: [String].self, in: error, depth: 2), !duplicates.isEmpty {
            let names = duplicates.map(SecretRedactor.redact).joined(separator: "', '")
            return .duplicateKey(key: names, at: SourceLocation(file: file, line: line))
        }
        return .syntax(file: file, line: line, problem: "the document could not be parsed")
    }

    private static func firstValue<T>(of type: T.Type, in subject: Any, depth: Int) -> T? {
        if let value = subject as? T { return value }
        guard depth > 0 else { return nil }
        for child in Mirror(reflecting: subject).children {
            if let found = firstValue(of: type, in: child.value, depth: depth - 1) { return found }
        }
        return nil
    }
}
