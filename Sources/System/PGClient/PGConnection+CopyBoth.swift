// PGConnection+CopyBoth: the COPY BOTH stream of physical replication (START_REPLICATION), for the WAL receiver.
// Unlike a COPY OUT the receiver must also talk while it listens (standby status updates, or the server drops
// it after wal_sender_timeout) and wake up on its own clock (partial segments), so reads wait at most `timeout`:
// PQgetCopyData(async = 1), and poll(2) on the connection's socket when no whole message is buffered.
import CLibPQ
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What one wait on a COPY BOTH stream gave.
public enum PGCopyBothRead: Sendable, Equatable {
    /// One CopyData message was handed to the body.
    case message
    /// Nothing arrived within the timeout.
    case timeout
    /// The server ended the stream (CopyDone); read its closing results with `finishCopyBoth`.
    case ended
}

extension PGConnection {
    /// Sends a command that answers with COPY BOTH (START_REPLICATION) and waits until the stream starts; a
    /// server error (a removed segment, an unknown slot) throws with its SQLSTATE.
    public func startCopyBoth(_ sql: String) throws {
        try send(sql)
        let connection = try openConnection()
        guard let result = PQgetResult(connection) else {
            throw PGError.queryFailed(sqlState: "", detail: lastErrorMessage)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COPY_BOTH:
            return
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            while let pending = PQgetResult(connection) { PQclear(pending) }
            throw PGError.unexpectedResult("the server answered '\(sql)' without starting a stream")
        default:
            let error = Self.queryError(result)
            while let pending = PQgetResult(connection) { PQclear(pending) }
            throw error
        }
    }

    /// Waits up to `timeout` seconds for one CopyData message of a COPY BOTH stream and hands it to `body` (valid
    /// only during the call).
    public func readCopyBoth(timeout: Double, _ body: (UnsafeRawBufferPointer) throws -> Void) throws
        -> PGCopyBothRead
    {
        let connection = try openConnection()
        let deadline = Date().addingTimeInterval(max(0, timeout))
        while true {
            var buffer: UnsafeMutablePointer<CChar>? = nil
            let count = PQgetCopyData(connection, &buffer, 1)
            if count > 0, let buffer {
                defer { PQfreemem(buffer) }
                try body(UnsafeRawBufferPointer(start: buffer, count: Int(count)))
                return .message
            }
            if count == -1 { return .ended }
            guard count == 0 else {
                throw PGError.queryFailed(sqlState: "", detail: "replication stream broke: \(lastErrorMessage)")
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return .timeout }
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if ready < 0 && errno != EINTR {
                throw PGError.queryFailed(sqlState: "", detail: "poll failed: \(String(cString: strerror(errno)))")
            }
            if ready > 0, PQconsumeInput(connection) == 0 {
                throw PGError.queryFailed(sqlState: "", detail: "replication stream broke: \(lastErrorMessage)")
            }
        }
    }

    /// Sends one CopyData message on a COPY BOTH stream (a standby status update) and flushes it.
    public func putCopyData(_ bytes: [UInt8]) throws {
        let connection = try openConnection()
        let sent = bytes.withUnsafeBufferPointer { pointer in
            pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                PQputCopyData(connection, $0, Int32(bytes.count))
            }
        }
        guard sent == 1, PQflush(connection) == 0 else {
            throw PGError.queryFailed(sqlState: "", detail: "could not send to the server: \(lastErrorMessage)")
        }
    }

    /// Ends our side of a stream the server ended and returns the result sets that close it: after a timeline
    /// switch, one row (next timeline, its start position).
    public func finishCopyBoth() throws -> [PGResultSet] {
        let connection = try openConnection()
        _ = PQputCopyEnd(connection, nil)
        _ = PQflush(connection)
        var sets: [PGResultSet] = []
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK:
                sets.append(PGResultSet(copying: result))
            case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                continue
            default:
                let error = Self.queryError(result)
                while let pending = PQgetResult(connection) { PQclear(pending) }
                throw error
            }
        }
        return sets
    }
}
