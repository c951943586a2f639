// ScriptedPostgres: a scripted PostgreSQL server for unit tests of code that talks to PostgreSQL through
// PostgresSession and PostgresConnector. A test says which statements the server answers and how (rows or an
// error); the code under test connects through `connector` (or gets a `session()` directly); afterwards the
// test reads what was asked. A statement nobody scripted fails the test at once (XCTFail, at the line that
// made the server) and throws, so code that swallows errors with `try?` cannot hide a question it was not
// expected to ask.
//
// Matching (`Pattern`): a statement is compared after normalising whitespace (runs of spaces, tabs and newlines
// become one space; leading and trailing whitespace goes), so a test can write the engine's multi-line SQL on
// one line. `.sql` must equal the whole statement, `.prefix` its start, `.containing` any part. Expectations are
// tried in the order they were added; the first that matches the statement (and its parameters and database,
// when the expectation names them) and has answers left answers it. `times: nil` answers any number of times.
import Foundation
import PGClient
import XCTest

public final class ScriptedPostgres: @unchecked Sendable {
    /// Which statements an expectation answers (see the file comment). A string literal is `.sql`.
    public enum Pattern: Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        case sql(String)
        case prefix(String)
        case containing(String)

        public init(stringLiteral value: String) { self = .sql(value) }

        func matches(_ normalised: String) -> Bool {
            switch self {
            case .sql(let text): normalised == ScriptedPostgres.normalise(text)
            case .prefix(let text): normalised.hasPrefix(ScriptedPostgres.normalise(text))
            case .containing(let text): normalised.contains(ScriptedPostgres.normalise(text))
            }
        }

        public var description: String {
            switch self {
            case .sql(let text): "sql '\(ScriptedPostgres.normalise(text))'"
            case .prefix(let text): "prefix '\(ScriptedPostgres.normalise(text))'"
            case .containing(let text): "containing '\(ScriptedPostgres.normalise(text))'"
            }
        }
    }

    public enum Reply: Sendable {
        case rows(PGResultSet)
        case failure(PGError)
    }

    /// One statement the code under test sent.
    public struct Exchange: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case query, execute }
        public let kind: Kind
        /// The database of the session it was sent on.
        public let database: String?
        /// Whitespace-normalised, as matched.
        public let sql: String
        public let parameters: [String?]
        /// False when no expectation matched (the test has already failed then).
        public let answered: Bool

        public init(kind: Kind, database: String?, sql: String, parameters: [String?], answered: Bool) {
            self.kind = kind
            self.database = database
            self.sql = sql
            self.parameters = parameters
            self.answered = answered
        }
    }

    /// One connection the code under test opened (or tried to open, when connections are refused).
    public struct Connection: Sendable, Equatable {
        public let database: String?
        public let user: String?
        public let applicationName: String

        public init(database: String?, user: String?, applicationName: String) {
            self.database = database
            self.user = user
            self.applicationName = applicationName
        }
    }

    struct Expectation {
        let pattern: Pattern
        let parameters: [String?]?
        let database: String?
        var remaining: Int?
        let reply: Reply
        var used = 0

        func accepts(_ sql: String, _ parameters: [String?], database: String?) -> Bool {
            (remaining.map { $0 > 0 } ?? true) && pattern.matches(sql)
                && (self.parameters.map { $0 == parameters } ?? true)
                && (self.database.map { $0 == database } ?? true)
        }
    }

    // All mutable state is guarded by `lock`: a connector may be called from any thread.
    private let lock = NSLock()
    private var expectations: [Expectation] = []
    private var log: [Exchange] = []
    private var opened: [Connection] = []
    private var open = 0
    private var refusal: String?
    private var version: Int
    private let file: StaticString
    private let line: UInt
    /// Called with a description of every unexpected statement; fails the test unless a test replaces it.
    public var onUnexpected: @Sendable (String, StaticString, UInt) -> Void = { message, file, line in
        XCTFail(message, file: file, line: line)
    }

    /// `serverVersionNumber` is what sessions report (150004 is PostgreSQL 15.4). Unexpected statements are
    /// reported at the caller's `file` and `line`.
    public init(serverVersionNumber: Int = 150004, file: StaticString = #filePath, line: UInt = #line) {
        version = serverVersionNumber
        self.file = file
        self.line = line
    }

    private func synchronized<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: - the script

    /// Answers statements matching `pattern` with `rows` (column names default to column1, column2…).
    @discardableResult
    public func expect(
        _ pattern: Pattern, parameters: [String?]? = nil, database: String? = nil, times: Int? = nil,
        returning rows: [[String?]], columns: [String]? = nil
    ) -> Self {
        let names = columns ?? (0..<(rows.first?.count ?? 1)).map { "column\($0 + 1)" }
        return add(
            pattern, parameters, database, times,
            .rows(PGResultSet(columns: names, rows: rows, affectedRows: rows.count)))
    }

    /// Answers statements matching `pattern` with a server error.
    @discardableResult
    public func expect(
        _ pattern: Pattern, parameters: [String?]? = nil, database: String? = nil, times: Int? = nil,
        failing error: PGError
    ) -> Self {
        add(pattern, parameters, database, times, .failure(error))
    }

    /// Accepts commands (or queries) matching `pattern` and answers them with no rows.
    @discardableResult
    public func expectCommand(_ pattern: Pattern, database: String? = nil, times: Int? = nil) -> Self {
        add(pattern, nil, database, times, .rows(PGResultSet(columns: [], rows: [])))
    }

    private func add(
        _ pattern: Pattern, _ parameters: [String?]?, _ database: String?, _ times: Int?,
        _ reply: Reply
    ) -> Self {
        synchronized {
            expectations.append(
                Expectation(
                    pattern: pattern, parameters: parameters, database: database,
                    remaining: times, reply: reply))
        }
        return self
    }

    /// From now on every connection attempt fails as libpq reports an unreachable server, with `detail` as
    /// libpq's reason.
    public func refuseConnections(_ detail: String = "connection refused") {
        synchronized { refusal = detail }
    }

    public var serverVersionNumber: Int {
        get { synchronized { version } }
        set { synchronized { version = newValue } }
    }

    // MARK: - connecting

    /// Opens a session on this server for each connection the code under test makes.
    public var connector: PostgresConnector {
        PostgresConnector { [self] info, applicationName in try connect(info, applicationName: applicationName) }
    }

    /// A session on `database`, for code that is handed a connection.
    public func session(database: String? = "postgres") -> any PostgresSession {
        synchronized { open += 1 }
        return ScriptedSession(server: self, database: database)
    }

    func connect(_ info: ConnectionInfo, applicationName: String) throws -> any PostgresSession {
        let refused = synchronized {
            opened.append(Connection(database: info.database, user: info.user, applicationName: applicationName))
            if refusal == nil { open += 1 }
            return refusal
        }
        if let refused { throw PGError.connectionFailed(target: info.description, detail: refused) }
        return ScriptedSession(server: self, database: info.database)
    }

    func closed() {
        synchronized { open -= 1 }
    }

    // MARK: - answering

    func answer(
        _ kind: Exchange.Kind, _ sql: String, _ parameters: [String?],
        database: String?
    ) throws -> PGResultSet {
        let normalised = Self.normalise(sql)
        let reply: Reply? = synchronized {
            let index = expectations.firstIndex { $0.accepts(normalised, parameters, database: database) }
            if let index {
                expectations[index].remaining = expectations[index].remaining.map { $0 - 1 }
                expectations[index].used += 1
            }
            log.append(
                Exchange(
                    kind: kind, database: database, sql: normalised, parameters: parameters,
                    answered: index != nil))
            return index.map { expectations[$0].reply }
        }
        switch reply {
        case .rows(let rows): return rows
        case .failure(let error): throw error
        case nil:
            let message =
                "ScriptedPostgres: unexpected \(kind) on database '\(database ?? "?")': '\(normalised)'"
                + (parameters.isEmpty ? "" : " with parameters \(parameters)")
            onUnexpected(message, file, line)
            throw PGError.queryFailed(sqlState: "XX000", detail: message)
        }
    }

    // MARK: - what was asked

    /// Every statement sent, in order.
    public var exchanges: [Exchange] { synchronized { log } }

    /// The statements sent, whitespace-normalised, in order.
    public var statements: [String] { exchanges.map(\.sql) }

    /// Statements no expectation answered.
    public var unexpected: [Exchange] { exchanges.filter { !$0.answered } }

    /// How often statements matching `pattern` were sent.
    public func count(_ pattern: Pattern) -> Int {
        exchanges.filter { pattern.matches($0.sql) }.count
    }

    /// The expectations that answered nothing: a question the test expected was never asked.
    public var unused: [Pattern] {
        synchronized { expectations.filter { $0.used == 0 }.map(\.pattern) }
    }

    /// Every connection attempt, in order.
    public var connections: [Connection] { synchronized { opened } }

    /// Sessions opened and not closed: zero once the code under test closed everything it opened (a session
    /// that is merely released does not count as closed, so a forgotten `close()` shows here).
    public var openSessions: Int { synchronized { open } }

    // MARK: - text

    static func normalise(_ sql: String) -> String {
        sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }

    /// As PQescapeIdentifier: double quotes, embedded ones doubled.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// As PQescapeLiteral: single quotes, embedded ones doubled; with backslashes, doubled and the literal
    /// written ` E'…'` (libpq's leading space included).
    public static func quoteLiteral(_ value: String) -> String {
        let quoted = value.replacingOccurrences(of: "'", with: "''")
        guard value.contains("\\") else { return "'" + quoted + "'" }
        return " E'" + quoted.replacingOccurrences(of: "\\", with: "\\\\") + "'"
    }
}
