// Quoting: the two quoting rules of the commands lifeboat hands PostgreSQL. archive_command and
// restore_command run through /bin/sh and are stored as postgresql.conf strings, so both the WAL checks
// (the recommended archive_command) and physical restores (restore_command) quote with these.
enum Quoting {
    /// One word for /bin/sh.
    static func shell(_ value: String) -> String {
        let safe = value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+=:,@".contains($0)) }
        return safe && !value.isEmpty ? value : "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A postgresql.conf string: single quotes, embedded single quotes doubled.
    static func conf(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
}
