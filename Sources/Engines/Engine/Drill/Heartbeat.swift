// Heartbeat: one row in `lifeboat.heartbeat` of the source database (`lifeboat heartbeat`, and at the start of
// a drill with `heartbeat: true`). Written regularly (e.g. every minute from cron), the newest row found in a
// restored database says exactly how recent its data is: that is how drills measure the achieved RPO.
// Opt-in: Lifeboat creates the schema and table only when asked to write a heartbeat.
import Foundation
import PGClient

public enum Heartbeat {
    public static let table = "lifeboat.heartbeat"

    static let create = """
        CREATE SCHEMA IF NOT EXISTS lifeboat;
        CREATE TABLE IF NOT EXISTS lifeboat.heartbeat (
            id bigserial PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT clock_timestamp(),
            host text
        )
        """

    /// Inserts a row and returns its time (the server's clock).
    @discardableResult
    public static func write(
        _ connection: any PostgresSession,
        host: String = ProcessInfo.processInfo.hostName
    ) throws -> Date {
        try connection.execute(create)
        let row = try connection.query(
            "INSERT INTO lifeboat.heartbeat (host) VALUES (\(try connection.quoteLiteral(host))) "
                + "RETURNING extract(epoch FROM at)::text"
        ).rows.first
        guard let text = row?[0] ?? nil, let epoch = Double(text) else { return Date() }
        return Date(timeIntervalSince1970: epoch)
    }

    /// The newest heartbeat in a (restored) database; nil when it has no heartbeat table or no row.
    public static func newest(_ connection: any PostgresSession) throws -> Date? {
        let exists = try connection.query("SELECT to_regclass('lifeboat.heartbeat') IS NOT NULL").rows.first?[0] ?? nil
        guard exists == "t" else { return nil }
        let row = try connection.query("SELECT extract(epoch FROM max(at))::text FROM lifeboat.heartbeat").rows.first
        return (row?[0] ?? nil).flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
    }
}

/// `lifeboat heartbeat`: one heartbeat into the configured source (optionally another database of it).
public enum HeartbeatWriter {
    public static func write(url: String, database: String?, postgres: PostgresConnector = .libpq) throws -> Date {
        var info = try ConnectionInfo(url)
        if let database { info = info.with(database: database) }
        let connection = try postgres.connect(info)
        defer { connection.close() }
        return try Heartbeat.write(connection)
    }
}
