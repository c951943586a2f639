// GlobalsMessages: what psql printed while applying a pg_dumpall --globals-only script, minus the one message
// that is expected. pg_dumpall writes `CREATE ROLE r;` before `ALTER ROLE r WITH …` precisely so that the CREATE
// may fail for a role that exists and the ALTER still gives it the backup's attributes; keeping existing roles is
// documented, so that failure is not news. Only `role "r" already exists` for a role that existed before psql
// ran is dropped — every other line (and that message for any other role) is still reported.
struct GlobalsMessages {
    /// psql's form of a script error: `ERROR:  role "postgres" already exists`, prefixed with
    /// `psql:<stdin>:12: ` when psql reads a script it names.
    static let location = "psql:<stdin>:"
    static let message = (head: "ERROR:  role \"", tail: "\" already exists")

    /// Roles that existed on the target before the globals script ran.
    let existingRoles: Set<String>

    /// The lines of `stderr` worth reporting, in order.
    func reportable(_ stderr: String) -> [String] {
        stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init).filter { !isExpected($0) }
    }

    func isExpected(_ line: String) -> Bool {
        var rest = Substring(line)
        if rest.hasPrefix(Self.location) {
            let afterLocation = rest.dropFirst(Self.location.count)
            guard let colon = afterLocation.firstIndex(of: ":"), !afterLocation[..<colon].isEmpty,
                afterLocation[..<colon].allSatisfy(\.isNumber)
            else { return false }
            rest = afterLocation[afterLocation.index(after: colon)...].drop { $0 == " " }
        }
        guard rest.hasPrefix(Self.message.head), rest.hasSuffix(Self.message.tail),
            rest.count >= Self.message.head.count + Self.message.tail.count
        else { return false }
        let role = rest.dropFirst(Self.message.head.count).dropLast(Self.message.tail.count)
        return existingRoles.contains(String(role))
    }
}
