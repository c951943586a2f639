// MappingReader: reads one YAML mapping of lifeboat.yml by hand. It refuses unknown and duplicate keys up
// front, hands out typed values, and builds every error with the full key path and the line of the key, which
// Codable decoding cannot do.
import Yams

struct MappingReader {
    private struct Entry {
        let keyLine: Int
        let value: Node
    }

    /// The dotted path of this mapping ("" for the top level, "repository" for its section).
    let path: String
    let file: String
    /// The line of the key that owns this mapping (1 for the top level).
    let line: Int
    private let entries: [String: Entry]

    init(_ mapping: Node.Mapping, path: String, line: Int, file: String, accepted: [String]) throws {
        self.path = path
        self.file = file
        self.line = line
        var entries: [String: Entry] = [:]
        for (keyNode, value) in mapping {
            let keyLine = keyNode.mark?.line ?? line
            let location = SourceLocation(file: file, line: keyLine)
            let key = keyNode.scalar?.string ?? "(a \(MappingReader.kind(of: keyNode)) used as a key)"
            guard accepted.contains(key) else {
                throw ConfigError.unknownKey(
                    key: Self.join(path, SecretRedactor.redact(key)), at: location, accepted: accepted)
            }
            guard entries[key] == nil else {
                throw ConfigError.duplicateKey(key: Self.join(path, SecretRedactor.redact(key)), at: location)
            }
            entries[key] = Entry(keyLine: keyLine, value: value)
        }
        self.entries = entries
    }

    /// The top-level mapping of a YAML document, with syntax, emptiness and type errors phrased for the file.
    static func document(yaml: String, file: String, accepted: [String], whenEmpty: String, expected: String) throws
        -> MappingReader
    {
        let document: Node?
        do {
            document = try Yams.compose(yaml: yaml)
        } catch {
            throw YAMLErrorTranslator.translate(error, file: file)
        }
        guard let document, !isNull(document) else {
            throw ConfigError.syntax(file: file, line: 1, problem: whenEmpty)
        }
        guard let mapping = document.mapping else {
            throw ConfigError.wrongType(
                key: "(top level)", at: SourceLocation(file: file, line: document.mark?.line ?? 1),
                expected: expected, found: kind(of: document))
        }
        return try MappingReader(mapping, path: "", line: 1, file: file, accepted: accepted)
    }

    // MARK: - where

    func keyPath(_ key: String) -> String { Self.join(path, key) }

    /// The line of `key`, or of this mapping when the key is absent.
    func location(_ key: String) -> SourceLocation {
        SourceLocation(file: file, line: entries[key]?.keyLine ?? line)
    }

    var ownLocation: SourceLocation { SourceLocation(file: file, line: line) }

    // MARK: - typed values

    /// The value of `key`; nil when absent or null (`key:` with nothing after it counts as not set).
    func node(_ key: String) -> Node? {
        guard let value = entries[key]?.value, !Self.isNull(value) else { return nil }
        return value
    }

    func has(_ key: String) -> Bool { node(key) != nil }

    /// Any non-empty scalar, taken as written (so `cluster: 2024` is the name "2024").
    /// `showValue: false` keeps the value out of errors (for values that may be secrets).
    func string(_ key: String, showValue: Bool = true) throws -> String? {
        guard let node = node(key) else { return nil }
        guard let scalar = node.scalar else { throw wrongType(key, expected: "a string", found: node) }
        guard !scalar.string.isEmpty else {
            throw invalid(key, value: showValue ? "" : nil, accepted: "a non-empty string")
        }
        return scalar.string
    }

    func requiredString(_ key: String, showValue: Bool = true, hint: String) throws -> String {
        guard let value = try string(key, showValue: showValue) else { throw missing(key, hint: hint) }
        return value
    }

    func int(_ key: String) throws -> Int? {
        guard let node = node(key) else { return nil }
        guard node.scalar != nil, Self.tagName(node) == .int else {
            throw wrongType(key, expected: "an integer", found: node)
        }
        guard let value = node.int else {
            throw invalid(key, value: node.scalar?.string, accepted: "an integer that fits in 64 bits")
        }
        return value
    }

    func bool(_ key: String) throws -> Bool? {
        guard let node = node(key) else { return nil }
        guard node.scalar != nil, Self.tagName(node) == .bool, let value = node.bool else {
            throw wrongType(key, expected: "a boolean (true or false)", found: node)
        }
        return value
    }

    /// One of a closed set of words, such as `addressing: path|virtual`.
    func choice<Value: RawRepresentable & CaseIterable>(_ key: String, of type: Value.Type) throws -> Value?
    where Value.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = Value(rawValue: text) else {
            throw invalid(key, value: text, accepted: Value.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))
        }
        return value
    }

    /// A nested mapping, read with its own accepted keys.
    func mapping(_ key: String, accepted: [String]) throws -> MappingReader? {
        guard let node = node(key) else { return nil }
        guard let mapping = node.mapping else { throw wrongType(key, expected: "a mapping", found: node) }
        return try MappingReader(mapping, path: keyPath(key), line: location(key).line, file: file, accepted: accepted)
    }

    /// A list of scalars with the line each one is on.
    func scalarList(_ key: String, expected: String) throws -> [(text: String, line: Int)]? {
        guard let node = node(key) else { return nil }
        guard let sequence = node.sequence else { throw wrongType(key, expected: expected, found: node) }
        return try sequence.map { item in
            guard let scalar = item.scalar, !Self.isNull(item) else {
                throw ConfigError.wrongType(
                    key: keyPath(key), at: SourceLocation(file: file, line: item.mark?.line ?? location(key).line),
                    expected: expected, found: "\(Self.kind(of: item)) in the list")
            }
            return (scalar.string, item.mark?.line ?? location(key).line)
        }
    }

    // MARK: - errors

    func invalid(_ key: String, value: String?, accepted: String, hint: String? = nil) -> ConfigError {
        .invalidValue(
            key: keyPath(key), at: location(key), value: value.map(SecretRedactor.redact),
            accepted: accepted, hint: hint)
    }

    func missing(_ key: String, hint: String) -> ConfigError {
        .missingKey(key: keyPath(key), at: ownLocation, hint: hint)
    }

    func wrongType(_ key: String, expected: String, found node: Node) -> ConfigError {
        .wrongType(key: keyPath(key), at: location(key), expected: expected, found: Self.kind(of: node))
    }

    // MARK: - helpers

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The resolved tag ("tag:yaml.org,2002:int" …). Yams keeps `Tag.name` internal; `description` is the
    /// public spelling of it in both Yams 5 and 6 (`rawValue` exists only in 6).
    static func tagName(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.description) }

    static func isNull(_ node: Node) -> Bool { node.scalar != nil && Self.tagName(node) == .null }

    /// How a node reads in an error ("found a mapping"), never its value: values may be secrets.
    static func kind(of node: Node) -> String {
        if node.mapping != nil { return "a mapping" }
        if node.sequence != nil { return "a list" }
        guard node.scalar != nil else { return "an alias" }
        switch tagName(node) {
        case .null: return "nothing"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .float: return "a number"
        case .timestamp: return "a date"
        default: return "a string"
        }
    }
}
