// SettingAssignment: one `name=value` entry of pg_db_role_setting.setconfig turned back into the SET clause that
// recreates it, the way pg_dump does (makeAlterConfigCommand): the value is one string literal, except for the
// variables whose value is a list of quoted names (search_path and the like, GUC_LIST_QUOTE), which are split
// into their elements and given as several literals — one literal `'"$user", public'` would become a single
// schema named `"$user", public`. The name is quoted as an identifier and every value as a literal by the
// caller's quoting functions (libpq's), so no text from the backup reaches SQL unquoted.
struct SettingAssignment: Equatable {
    /// Variables the server stores as a list of double-quoted elements (pg_dump's variable_is_guc_list_quote).
    static let listVariables: Set<String> = [
        "local_preload_libraries", "search_path", "session_preload_libraries",
        "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories",
    ]

    let name: String
    let values: [String]

    /// Parses a setconfig entry; throws when it has no `=` or a list value has unbalanced quotes.
    init(parsing entry: String) throws {
        guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
            throw EngineError.databaseSettingsFailed(database: "", detail: "setting '\(entry)' has no name=value form")
        }
        name = String(entry[..<equals])
        let value = String(entry[entry.index(after: equals)...])
        if Self.listVariables.contains(name.lowercased()) {
            guard let elements = Self.splitList(value) else {
                throw EngineError.databaseSettingsFailed(database: "", detail: "setting '\(entry)' is not a valid list")
            }
            values = elements
        } else {
            values = [value]
        }
    }

    /// `SET "name" TO 'v1', 'v2'` for ALTER DATABASE / ALTER ROLE … IN DATABASE.
    func clause(identifier: (String) throws -> String, literal: (String) throws -> String) throws -> String {
        // An empty list is stored as `""` (one empty element), so `values` is never empty for a stored entry;
        // an empty literal keeps the statement valid should one appear anyway.
        let rendered = try (values.isEmpty ? [""] : values).map(literal).joined(separator: ", ")
        return "SET \(try identifier(name)) TO \(rendered)"
    }

    /// Splits a list value as PostgreSQL's SplitGUCList does: comma-separated elements, each either
    /// double-quoted (a doubled quote stands for one) or bare up to the next comma or whitespace; whitespace
    /// around elements is ignored. Nil on a syntax error.
    static func splitList(_ text: String) -> [String]? {
        let characters = Array(text)
        var index = 0
        var elements: [String] = []
        func skipSpace() { while index < characters.count, characters[index].isWhitespace { index += 1 } }
        skipSpace()
        if index == characters.count { return [] }
        while true {
            guard index < characters.count else { return nil }  // a trailing comma: an empty bare element
            var element = ""
            if characters[index] == "\"" {
                index += 1
                while true {
                    guard index < characters.count else { return nil }
                    if characters[index] == "\"" {
                        if index + 1 < characters.count, characters[index + 1] == "\"" {
                            element.append("\"")
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    element.append(characters[index])
                    index += 1
                }
            } else {
                while index < characters.count, characters[index] != ",", !characters[index].isWhitespace {
                    element.append(characters[index])
                    index += 1
                }
                if element.isEmpty { return nil }
            }
            elements.append(element)
            skipSpace()
            if index == characters.count { return elements }
            guard characters[index] == "," else { return nil }
            index += 1
            skipSpace()
        }
    }
}
