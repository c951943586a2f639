// DatabaseAccessRestore: gives a restored database the connection limit, template flag and allow-connections flag
// its backup recorded, in one ALTER DATABASE, then reads them back. It runs last, after the row counts, from the
// maintenance database: ALLOW_CONNECTIONS false or a low CONNECTION LIMIT would lock out the sessions that load and
// check the data (a limit binds the owner too, only superusers are exempt), and PostgreSQL refuses to disallow
// connections to the database the session is connected to. What the target had is replaced: all three are set.
import Catalog
import Diagnostics
import PGClient

struct DatabaseAccessRestore {
    let recorded: DatabaseProperties.Access
    /// The target database's name.
    let database: String

    func statement(_ session: any PostgresSession) throws -> String {
        // The limit is a number from an authenticated manifest; anything PostgreSQL would not have stored is refused.
        guard recorded.connectionLimit >= -1 else {
            throw EngineError.databaseSettingsFailed(
                database: database, detail: "the backup records a connection limit of \(recorded.connectionLimit)")
        }
        return "ALTER DATABASE \(try session.quoteIdentifier(database)) WITH CONNECTION LIMIT "
            + "\(recorded.connectionLimit) IS_TEMPLATE \(recorded.isTemplate) "
            + "ALLOW_CONNECTIONS \(recorded.allowConnections)"
    }

    /// Sets the recorded values; `session` must not be connected to the target database.
    func apply(_ session: any PostgresSession) throws {
        let sql = try statement(session)
        do {
            try session.execute(sql)
        } catch let error as PGError {
            throw EngineError.databaseSettingsFailed(database: database, detail: error.message)
        }
    }

    /// Reads the target back: a difference is an integrity failure, as for the other database properties.
    func check(_ session: any PostgresSession) throws {
        let actual = try DatabasePropertiesQuery(session: session).read(database: database).properties.access
        guard actual != recorded else { return }
        throw EngineError.databaseSettingsMismatch(
            database: database,
            differences: ["\(actual.map(\.description) ?? "nothing") is set, the backup has \(recorded)"])
    }
}
