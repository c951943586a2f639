// DrillCheckRunner: the checks that prove a restored database is usable, run against the drill's target.
// - sql: the first column of the first row, as PostgreSQL's text output, must equal the expected text;
// - amcheck: bt_index_check(heapallindexed) on every valid btree index (the extension is created in the
//   scratch database if missing);
// - full_read: every row of every ordinary table read and detoasted (sum of length(row::text)).
// A failing check is an outcome, never an exception: the drill records it and goes on with the others.
import Drills
import Foundation
import PGClient
import Policy

struct DrillCheckRunner {
    let progress: ProgressReporter
    let postgres: PostgresConnector

    func sql(_ check: SQLCheck, connection: ConnectionInfo) -> CheckOutcome {
        measure(check.name, .sql) {
            let server = try postgres.connect(connection)
            defer { server.close() }
            let value = try server.query(check.query).rows.first?.first ?? nil
            guard let value else { return (false, "the query returned no value; expected '\(check.expect)'") }
            return value == check.expect
                ? (true, "got '\(value)'") : (false, "expected '\(check.expect)', got '\(value)'")
        }
    }

    func amcheck(database: String, connection: ConnectionInfo) -> CheckOutcome {
        measure("amcheck \(database)", .amcheck) {
            let server = try postgres.connect(connection)
            defer { server.close() }
            try server.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            let indexes = try server.query(
                """
                SELECT c.oid::text, c.oid::regclass::text FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
                WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready AND c.relpersistence <> 't'
                ORDER BY 2
                """
            ).rows
            var failures: [String] = []
            progress.begin("amcheck \(database)", total: Int64(indexes.count))
            defer { progress.end() }
            for row in indexes {
                guard let oid = row[0], let name = row[1] else { continue }
                do {
                    _ = try server.query("SELECT bt_index_check(index => \(oid)::oid, heapallindexed => true)")
                } catch {
                    failures.append("\(name): \(Self.describe(error))")
                }
                progress.advance(by: 1)
            }
            return failures.isEmpty
                ? (true, "\(indexes.count) btree indexes checked")
                : (
                    false,
                    "\(failures.count) of \(indexes.count) btree indexes are corrupt: "
                        + failures.prefix(5).joined(separator: "; ")
                )
        }
    }

    func fullRead(database: String, connection: ConnectionInfo) -> CheckOutcome {
        measure("full read \(database)", .fullRead) {
            let server = try postgres.connect(connection)
            defer { server.close() }
            let tables = try server.query(
                """
                SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                ORDER BY 1
                """
            ).rows.compactMap { $0[0] ?? nil }
            var rows: Int64 = 0
            var bytes: Int64 = 0
            var failures: [String] = []
            progress.begin("full read \(database)", total: Int64(tables.count))
            defer { progress.end() }
            for table in tables {
                do {
                    let row = try server.query(
                        "SELECT count(*)::text, coalesce(sum(length(t::text)), 0)::text FROM \(table) AS t"
                    ).rows.first
                    rows += Int64((row?[0] ?? nil) ?? "") ?? 0
                    bytes += Int64((row?[1] ?? nil) ?? "") ?? 0
                } catch {
                    failures.append("\(table): \(Self.describe(error))")
                }
                progress.advance(by: 1)
            }
            return failures.isEmpty
                ? (true, "\(tables.count) tables, \(rows) rows, \(Format.bytes(bytes)) of row text read")
                : (
                    false,
                    "\(failures.count) of \(tables.count) tables could not be read: "
                        + failures.prefix(5).joined(separator: "; ")
                )
        }
    }

    func measure(_ name: String, _ kind: CheckKind, _ body: () throws -> (Bool, String)) -> CheckOutcome {
        let started = Date()
        do {
            let (passed, detail) = try body()
            return CheckOutcome(
                name: name, kind: kind, passed: passed, detail: detail, seconds: Date().timeIntervalSince(started))
        } catch {
            return CheckOutcome(
                name: name, kind: kind, passed: false, detail: Self.describe(error),
                seconds: Date().timeIntervalSince(started))
        }
    }

    static func describe(_ error: Error) -> String {
        (error as? PGError).map { $0.message } ?? String(describing: error)
    }
}
