// PostgresSession: what Lifeboat's engines ask of a PostgreSQL connection for SQL — queries with text
// parameters, plain commands, the server version, quoting, close. PGConnection is the libpq implementation;
// unit tests hand engines a scripted fake, so inspection, planning and checks are tested without a server.
//
// Streaming replication (BASE_BACKUP, IDENTIFY_SYSTEM: `send`, `nextResult`, `readCopyDataMessage`) stays on
// PGConnection: it is a different conversation (a walsender speaks the simple protocol only), and only the
// snapshot receiver and the replication check hold one.

/// Thread rule (libpq's, for a PGconn): one thread at a time. A session may move between threads or tasks between
/// calls, hence Sendable; its owner must not use it concurrently.
public protocol PostgresSession: AnyObject, Sendable {
    /// Runs one statement; `parameters` are $1, $2… in text format, nil for NULL.
    func query(_ sql: String, _ parameters: [String?]) throws -> PGResultSet
    /// Runs any command text, including several statements separated by semicolons.
    func execute(_ sql: String) throws
    /// For example 150004 for 15.4; 0 once closed.
    var serverVersionNumber: Int { get }
    /// `name` as a double-quoted SQL identifier.
    func quoteIdentifier(_ name: String) throws -> String
    /// `value` as a single-quoted SQL literal (E'…' when it has backslashes).
    func quoteLiteral(_ value: String) throws -> String
    func close()
}

extension PostgresSession {
    /// A statement without parameters (protocol requirements cannot have default arguments).
    public func query(_ sql: String) throws -> PGResultSet {
        try query(sql, [])
    }
}

extension PGConnection: PostgresSession {}
