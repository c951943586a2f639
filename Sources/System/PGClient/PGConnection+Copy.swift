// PGConnection+Copy: commands whose answer is a sequence of results, one of them a COPY OUT stream
// (`COPY … TO STDOUT`, and the replication command BASE_BACKUP, which answers with result sets before and after
// its stream) or a COPY IN stream (the replication command UPLOAD_MANIFEST, PostgreSQL 17+). Blocking: PQsendQuery, then PQgetResult / PQgetCopyData(async = 0) one step at a time, so the
// caller pulls the stream at its own pace and memory holds one CopyData message at a time.
import CLibPQ

/// One step of a multi-result answer.
public enum PGStreamResult: Sendable, Equatable {
    /// A result set (or a command's completion: no columns, no rows).
    case rows(PGResultSet)
    /// A COPY OUT stream starts: read it with `readCopyDataMessage` until it returns nil.
    case copyOut
    /// A COPY IN stream starts: send it with `writeCopyData`, then `endCopy`.
    case copyIn
}

extension PGConnection {
    /// Sends one command without waiting for its answer; read the answer with `nextResult`.
    public func send(_ sql: String) throws {
        let connection = try openConnection()
        try Self.rejectNul(sql, what: "the command")
        guard PQsendQuery(connection, sql) == 1 else {
            throw PGError.queryFailed(sqlState: "", detail: lastErrorMessage)
        }
    }

    /// The next result of the command sent with `send`; nil once the command's answer is complete.
    /// A server error throws (after the rest of the answer was consumed, so the connection stays usable).
    public func nextResult() throws -> PGStreamResult? {
        let connection = try openConnection()
        guard let result = PQgetResult(connection) else { return nil }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return .rows(PGResultSet(copying: result))
        case PGRES_COPY_OUT:
            return .copyOut
        case PGRES_COPY_IN:
            return .copyIn
        case PGRES_COPY_BOTH:
            throw PGError.unexpectedResult("the command started a copy both stream, which is not supported")
        default:
            let error = Self.queryError(result)
            while let pending = PQgetResult(connection) { PQclear(pending) }
            throw error
        }
    }

    /// Reads one CopyData message of a COPY OUT stream and hands it over: its bytes stay valid while the returned
    /// message is alive, so a consumer may keep them instead of copying them. Nil at the end of the stream; the
    /// command's next results follow through `nextResult`.
    public func readCopyDataMessage() throws -> CopyDataMessage? {
        let connection = try openConnection()
        var buffer: UnsafeMutablePointer<CChar>? = nil
        let count = PQgetCopyData(connection, &buffer, 0)
        if count == -1 { return nil }
        guard count >= 0, let buffer else {
            throw PGError.queryFailed(sqlState: "", detail: "could not read copy data: \(lastErrorMessage)")
        }
        return CopyDataMessage(buffer, count: Int(count))
    }

    /// Sends bytes of a COPY IN stream (blocking).
    public func writeCopyData(_ bytes: UnsafeRawBufferPointer) throws {
        let connection = try openConnection()
        guard !bytes.isEmpty else { return }
        let status = bytes.withMemoryRebound(to: CChar.self) {
            PQputCopyData(connection, $0.baseAddress, Int32($0.count))
        }
        guard status == 1 else {
            throw PGError.queryFailed(sqlState: "", detail: "could not send copy data: \(lastErrorMessage)")
        }
    }

    /// Ends a COPY IN stream; the command's results follow through `nextResult`.
    public func endCopy() throws {
        let connection = try openConnection()
        guard PQputCopyEnd(connection, nil) == 1 else {
            throw PGError.queryFailed(sqlState: "", detail: "could not end copy data: \(lastErrorMessage)")
        }
    }
}

extension PGConnection {
    /// Runs one command with the simple query protocol (PQsendQuery) and returns its last result set: replication
    /// commands (IDENTIFY_SYSTEM, READ_REPLICATION_SLOT, TIMELINE_HISTORY) refuse the extended protocol `query` uses.
    public func simpleQuery(_ sql: String) throws -> PGResultSet {
        try send(sql)
        var last = PGResultSet(columns: [], rows: [])
        while let result = try nextResult() {
            guard case .rows(let set) = result else {
                throw PGError.unexpectedResult("'\(sql)' started a copy")
            }
            if !set.columns.isEmpty { last = set }
        }
        return last
    }
}
