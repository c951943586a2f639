// DrillChecks+YAML: the `checks:` section of a drill file — SQL assertions and the built-in checks
// (amcheck, row counts, full read) that prove the restored data is there and readable.
import Foundation
import Policy
import Yams

extension DrillChecks {
    static let keys = ["sql", "amcheck", "row_counts", "full_read"]

    static func read(from root: MappingReader, kind: DrillRestoreKind) throws -> DrillChecks {
        guard let section = try root.mapping("checks", accepted: keys) else { return DrillChecks() }
        let rowCounts = try section.bool("row_counts") ?? false
        // Only logical backups record row counts at backup time; a snapshot drill could never run this check.
        if rowCounts, kind == .snapshot {
            throw section.invalid(
                "row_counts", value: "true", accepted: "'false' for a snapshot drill",
                hint: "snapshot backups record no row counts; use 'full_read: true' or an 'sql' check")
        }
        return DrillChecks(
            sql: try SQLCheck.readAll(from: section),
            amcheck: try section.bool("amcheck") ?? false,
            rowCounts: rowCounts,
            fullRead: try section.bool("full_read") ?? false)
    }
}

extension SQLCheck {
    static let keys = ["name", "query", "expect", "database"]
    static let listForm =
        "a list of checks such as '- { name: orders present, query: \"SELECT count(*) > 0 FROM orders\", expect: \"t\" }'"
    static let expectForm =
        "a string or number compared with PostgreSQL's text output of the first column, e.g. 't', 'f', '42'"

    /// `checks.sql` → checks in file order, each name used once.
    static func readAll(from section: MappingReader) throws -> [SQLCheck] {
        guard let node = section.node("sql") else { return [] }
        guard let items = node.sequence else { throw section.wrongType("sql", expected: listForm, found: node) }
        var checks: [SQLCheck] = []
        for (index, item) in items.enumerated() {
            let line = item.mark?.line ?? section.location("sql").line
            let path = section.keyPath("sql") + "[\(index)]"
            guard let mapping = item.mapping else {
                throw ConfigError.wrongType(
                    key: path, at: SourceLocation(file: section.file, line: line),
                    expected: "a mapping with 'name', 'query' and 'expect'", found: MappingReader.kind(of: item))
            }
            let check = try read(
                from: MappingReader(mapping, path: path, line: line, file: section.file, accepted: keys))
            guard !checks.contains(where: { $0.name == check.name }) else {
                throw ConfigError.invalidValue(
                    key: path + ".name", at: SourceLocation(file: section.file, line: line),
                    value: check.name, accepted: "a name not used by another SQL check",
                    hint: "evidence reports checks by name; rename one of them")
            }
            checks.append(check)
        }
        return checks
    }

    private static func read(from check: MappingReader) throws -> SQLCheck {
        let name = try check.requiredString("name", hint: "add 'name: orders present' (how the check is reported)")
        let query = try check.requiredString("query", hint: "add 'query: \"SELECT count(*) > 0 FROM orders\"'")
        let database = try check.string("database")
        if let database, !NameRules.isValidDatabase(database) {
            throw check.invalid("database", value: database, accepted: NameRules.databaseRule)
        }
        return SQLCheck(name: name, database: database, query: query, expect: try expect(in: check))
    }

    /// The expected text. Numbers are taken as written ("42"). YAML booleans are refused rather than guessed:
    /// PostgreSQL prints a boolean as 't' or 'f', and `true` read as the text "true" would never match.
    private static func expect(in check: MappingReader) throws -> String {
        guard let node = check.node("expect") else {
            throw check.missing(
                "expect", hint: "add 'expect: \"t\"' (the first column of the first row, as psql prints it)")
        }
        guard node.scalar != nil else { throw check.wrongType("expect", expected: expectForm, found: node) }
        guard MappingReader.tagName(node) != .bool else {
            throw check.invalid(
                "expect", value: node.scalar?.string, accepted: expectForm,
                hint: "PostgreSQL prints booleans as t and f; write 'expect: \"t\"' or 'expect: \"f\"'")
        }
        return try check.requiredString("expect", hint: "add 'expect: \"t\"'")
    }
}
