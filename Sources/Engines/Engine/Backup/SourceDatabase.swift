// SourceDatabase: what a logical backup asks the source server: version, role, databases, a consistent
// snapshot to dump from, and exact per-table row counts inside that same snapshot.
import Catalog
import Foundation
import PGClient

struct ServerFacts {
    var version: String
    var versionNumber: Int
    var isSuperuser: Bool
    var systemIdentifier: String?
    var timeline: Int?
}

enum SourceDatabase {
    static func facts(_ connection: any PostgresSession) throws -> ServerFacts {
        let row = try connection.query(
            """
            SELECT current_setting('server_version'), current_setting('server_version_num'),
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)::text
            """)
        var facts = ServerFacts(
            version: row.rows[0][0] ?? "", versionNumber: Int(row.rows[0][1] ?? "") ?? 0,
            isSuperuser: row.rows[0][2] == "true", systemIdentifier: nil, timeline: nil)
        // Reading the control data needs superuser or pg_monitor-like grants; without them it is left out.
        if let control = try? connection.query(
            """
            SELECT (SELECT system_identifier::text FROM pg_control_system()),
                   (SELECT timeline_id::text FROM pg_control_checkpoint())
            """)
        {
            facts.systemIdentifier = control.rows[0][0]
            facts.timeline = control.rows[0][1].flatMap { Int($0) }
        }
        return facts
    }

    /// Databases a default backup includes: every one that accepts connections, templates excluded.
    static func databases(_ connection: any PostgresSession) throws -> [String] {
        try connection.query(
            "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname"
        )
        .rows.compactMap { $0[0] }
    }

    static func currentLSN(_ connection: any PostgresSession) throws -> String {
        let result = try connection.query(
            """
            SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text
            """)
        return result.rows[0][0] ?? "0/0"
    }

    /// Opens a repeatable-read transaction and exports its snapshot for pg_dump --snapshot.
    static func exportSnapshot(_ connection: any PostgresSession) throws -> (snapshot: String, lsn: String) {
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        let snapshot = try connection.query("SELECT pg_export_snapshot()").rows[0][0] ?? ""
        return (snapshot, try currentLSN(connection))
    }

    /// The tables whose data pg_dump writes: ordinary tables and partitions, outside system schemas and not
    /// owned by an extension. Partitioned parents are skipped, their partitions are counted.
    static let tableListSQL = """
        SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1, 2
        """

    /// Counts run inside a savepoint: a failing count (e.g. permission denied) must not abort the transaction
    /// whose exported snapshot pg_dump may still be importing, or pg_dump's own, clearer error would be lost.
    static func rowCounts(_ connection: any PostgresSession) throws -> [TableCount] {
        try connection.execute("SAVEPOINT lifeboat_row_counts")
        do {
            let counts = try connection.query(tableListSQL).rows.map { row in
                let schema = row[0] ?? ""
                let table = row[1] ?? ""
                let sql =
                    "SELECT count(*) FROM \(try connection.quoteIdentifier(schema)).\(try connection.quoteIdentifier(table))"
                let count = Int64(try connection.query(sql).rows[0][0] ?? "") ?? -1
                return TableCount(schema: schema, table: table, rows: count)
            }
            try connection.execute("RELEASE SAVEPOINT lifeboat_row_counts")
            return counts
        } catch {
            try? connection.execute("ROLLBACK TO SAVEPOINT lifeboat_row_counts")
            throw error
        }
    }

    /// Number of user relations (tables, views, sequences, …) in a database: zero means safe to restore into.
    static func userRelationCount(_ connection: any PostgresSession) throws -> Int {
        let result = try connection.query(
            """
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
              AND n.nspname NOT LIKE 'pg\\_temp%'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            """)
        return Int(result.rows[0][0] ?? "0") ?? 0
    }
}
