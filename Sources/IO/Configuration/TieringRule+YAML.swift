// TieringRule+YAML: the `tiering:` list of a policy file, checked against the storage classes Policy lists.
import Foundation
import Policy

extension TieringRule {
    static let keys = ["after", "storage_class", "kept_by", "types"]

    static func readAll(from root: MappingReader) throws -> [TieringRule] {
        guard let node = root.node("tiering") else { return [] }
        guard let items = node.sequence else {
            throw root.wrongType(
                "tiering", expected: "a list of rules such as '- { after: 30d, storage_class: STANDARD_IA }'",
                found: node)
        }
        return try items.enumerated().map { index, item in
            let line = item.mark?.line ?? root.location("tiering").line
            let path = "tiering[\(index)]"
            guard let mapping = item.mapping else {
                throw ConfigError.wrongType(
                    key: path, at: SourceLocation(file: root.file, line: line),
                    expected: "a mapping with 'after' and 'storage_class'", found: MappingReader.kind(of: item))
            }
            return try read(from: MappingReader(mapping, path: path, line: line, file: root.file, accepted: keys))
        }
    }

    private static func read(from rule: MappingReader) throws -> TieringRule {
        guard let after = try rule.duration("after", allowZero: true) else {
            throw rule.missing("after", hint: "add 'after: 30d' (how old a backup must be before it moves)")
        }
        return TieringRule(
            after: after, storageClass: try storageClass(in: rule),
            keptBy: try rule.wordList("kept_by", of: CalendarPeriod.self),
            types: try rule.wordList("types", of: BackupTypeSetting.self))
    }

    private static func storageClass(in rule: MappingReader) throws -> String {
        let text = try rule.requiredString("storage_class", hint: "add 'storage_class: GLACIER' (the class to move to)")
        guard storageClassOrder.contains(text) else {
            throw rule.invalid(
                "storage_class", value: text,
                accepted: storageClassOrder.map { "'\($0)'" }.joined(separator: ", "),
                hint: storageClassOrder.contains(text.uppercased()) ? "write it in upper case" : nil)
        }
        return text
    }
}
