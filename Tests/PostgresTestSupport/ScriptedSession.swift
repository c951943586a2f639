// ScriptedSession: one session on a ScriptedPostgres. It behaves like PGConnection where code can tell the
// difference: a closed session refuses statements and reports version 0, and quoting follows libpq's rules.
import Foundation
import PGClient

final class ScriptedSession: PostgresSession, @unchecked Sendable {
    private let server: ScriptedPostgres
    private let database: String?
    // Guarded by `lock`; a session is used by one thread at a time, but close may come from a cleanup handler.
    private let lock = NSLock()
    private var isOpen = true

    init(server: ScriptedPostgres, database: String?) {
        self.server = server
        self.database = database
    }

    private var stillOpen: Bool {
        lock.lock()
        defer { lock.unlock() }
        return isOpen
    }

    private func requireOpen() throws {
        guard stillOpen else { throw PGError.unexpectedResult("the connection is already closed") }
    }

    func query(_ sql: String, _ parameters: [String?]) throws -> PGResultSet {
        try requireOpen()
        return try server.answer(.query, sql, parameters, database: database)
    }

    func execute(_ sql: String) throws {
        try requireOpen()
        _ = try server.answer(.execute, sql, [], database: database)
    }

    var serverVersionNumber: Int { stillOpen ? server.serverVersionNumber : 0 }

    func quoteIdentifier(_ name: String) throws -> String {
        try requireOpen()
        return ScriptedPostgres.quoteIdentifier(name)
    }

    func quoteLiteral(_ value: String) throws -> String {
        try requireOpen()
        return ScriptedPostgres.quoteLiteral(value)
    }

    func close() {
        lock.lock()
        let wasOpen = isOpen
        isOpen = false
        lock.unlock()
        if wasOpen { server.closed() }
    }
}
