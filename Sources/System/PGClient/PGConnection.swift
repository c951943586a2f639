// PGConnection: one libpq connection, the only place Lifeboat calls libpq for SQL. Every PGresult is copied into
// a PGResultSet and cleared at once; every failure becomes a PGError through `check`.
import CLibPQ

/// Thread rule: a connection is used by one thread at a time (libpq's own rule for a PGconn). It may move between
/// threads or tasks between calls, hence `@unchecked Sendable`; the owner must not share it concurrently.
public final class PGConnection: @unchecked Sendable {
    /// Internal (not private) for PGConnection+Copy; never public, so no libpq type leaves this module.
    var connection: OpaquePointer?
    private let info: ConnectionInfo

    /// Connects with PQconnectdbParams using exactly the parsed keywords (the database name is never re-expanded
    /// as a connection string). `applicationName` is libpq's fallback_application_name, so an application_name in
    /// the connection string wins. Unless the string says otherwise the client encoding is UTF8, as Swift strings are.
    public init(_ info: ConnectionInfo, applicationName: String = "lifeboat") throws {
        self.info = info
        var parameters = info.parameters
        parameters["fallback_application_name"] = applicationName.isEmpty ? nil : applicationName
        if parameters["client_encoding"] == nil { parameters["client_encoding"] = "UTF8" }
        connection = try Self.connect(parameters, info: info)
        // Non-capturing C callback: server NOTICEs and WARNINGs would otherwise go to stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit {
        close()
    }

    /// Runs one statement with PQexecParams; `parameters` are $1, $2… in text format, nil for NULL.
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> PGResultSet {
        let connection = try openConnection()
        try Self.rejectNul(sql, what: "the query")
        for (index, parameter) in parameters.enumerated() {
            if let parameter { try Self.rejectNul(parameter, what: "parameter $\(index + 1)") }
        }
        guard parameters.count <= Int(UInt16.max) else {
            throw PGError.queryFailed(
                sqlState: "54000", detail: "\(parameters.count) parameters exceed the limit of 65535")
        }
        let values = CStringArray(parameters)
        let result = values.withPointers { pointers in
            PQexecParams(connection, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        return try check(result)
    }

    /// Runs any command text with PQexec, including several statements separated by semicolons.
    public func execute(_ sql: String) throws {
        let connection = try openConnection()
        try Self.rejectNul(sql, what: "the command")
        _ = try check(PQexec(connection, sql))
    }

    /// For example 150004 for 15.4; 0 once closed.
    public var serverVersionNumber: Int {
        connection.map { Int(PQserverVersion($0)) } ?? 0
    }

    public func close() {
        guard let connection else { return }
        PQfinish(connection)
        self.connection = nil
    }

    /// `name` as a double-quoted SQL identifier, via PQescapeIdentifier.
    public func quoteIdentifier(_ name: String) throws -> String {
        try escape(name, what: "identifier", with: PQescapeIdentifier)
    }

    /// `value` as a single-quoted SQL literal (E'…' when it has backslashes), via PQescapeLiteral.
    public func quoteLiteral(_ value: String) throws -> String {
        try escape(value, what: "literal", with: PQescapeLiteral)
    }

    private static func connect(_ parameters: [String: String], info: ConnectionInfo) throws -> OpaquePointer {
        for (key, value) in parameters {
            guard !key.utf8.contains(0), !value.utf8.contains(0) else {
                throw PGError.invalidConnectionString("the value of '\(key)' contains a nul character")
            }
        }
        let keys = CStringArray(Array(parameters.keys), nullTerminated: true)
        let values = CStringArray(Array(parameters.values), nullTerminated: true)
        let connection = keys.withPointers { keys in
            values.withPointers { values in PQconnectdbParams(keys, values, 0) }
        }
        guard let connection else {
            throw PGError.connectionFailed(target: info.description, detail: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let detail = LibpqText.connectionDetail(
                String(cString: PQerrorMessage(connection)), password: info.password)
            PQfinish(connection)
            throw PGError.connectionFailed(target: info.description, detail: detail)
        }
        return connection
    }

    func openConnection() throws -> OpaquePointer {
        guard let connection else { throw PGError.unexpectedResult("the connection is already closed") }
        return connection
    }

    /// Turns a PGresult into a result set or an error, and clears it either way.
    func check(_ result: OpaquePointer?) throws -> PGResultSet {
        guard let result else {
            // No result at all: out of memory or the connection broke before a result arrived.
            throw PGError.queryFailed(sqlState: "", detail: lastErrorMessage)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PGResultSet(copying: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy(status)
            throw PGError.unexpectedResult("the command started a copy, which query and execute do not support")
        default:
            throw Self.queryError(result)
        }
    }

    static func queryError(_ result: OpaquePointer) -> PGError {
        let sqlState = PQresultErrorField(result, LB_PG_DIAG_SQLSTATE).map { String(cString: $0) } ?? ""
        // The primary message only: the full text can quote the statement, which may hold secrets.
        let primary = PQresultErrorField(result, LB_PG_DIAG_MESSAGE_PRIMARY).map { String(cString: $0) }
        let detail = primary ?? LibpqText.firstLine(PQresultErrorMessage(result).map { String(cString: $0) } ?? "")
        return PGError.queryFailed(sqlState: sqlState, detail: detail)
    }

    /// Leaves COPY state so the connection stays usable. COPY BOTH (replication) cannot be ended from here.
    private func abandonCopy(_ status: ExecStatusType) {
        guard let connection else { return }
        if status == PGRES_COPY_IN {
            _ = PQputCopyEnd(connection, "lifeboat: copy is not supported by this call")
        } else if status == PGRES_COPY_OUT {
            var buffer: UnsafeMutablePointer<CChar>? = nil
            while PQgetCopyData(connection, &buffer, 0) > 0 {
                PQfreemem(buffer)
                buffer = nil
            }
        } else {
            return
        }
        while let pending = PQgetResult(connection) { PQclear(pending) }
    }

    private func escape(
        _ text: String,
        what: String,
        with function: (OpaquePointer?, UnsafePointer<CChar>?, Int) -> UnsafeMutablePointer<CChar>?
    ) throws -> String {
        let connection = try openConnection()
        try Self.rejectNul(text, what: "the \(what)")
        guard let escaped = function(connection, text, text.utf8.count) else {
            throw PGError.unexpectedResult("could not quote the \(what): \(lastErrorMessage)")
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    var lastErrorMessage: String {
        let message = connection.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? ""
        return LibpqText.firstLine(message)
    }

    /// PostgreSQL text cannot hold a nul character, and C would silently cut the string there.
    static func rejectNul(_ text: String, what: String) throws {
        guard !text.utf8.contains(0) else {
            throw PGError.queryFailed(sqlState: "22021", detail: "\(what) contains a nul character")
        }
    }
}
