// SampleDatabase: a source database with the kinds of data a backup must carry exactly: bytea, jsonb,
// non-ASCII text, numeric, dates and timestamps, a view, a second schema, and a few MB of rows.
import Foundation
import PGClient

enum SampleDatabase {
    static let marker = "LIFEBOAT-PLAINTEXT-MARKER-7f3a9c"

    static func create(_ env: TestEnvironment, name: String, rows: Int = 40_000) throws {
        let admin = try env.admin()
        defer { admin.close() }
        try admin.execute("DROP DATABASE IF EXISTS \(name)")
        try admin.execute("CREATE DATABASE \(name)")
        let db = try PGConnection(try env.connectionInfo(database: name))
        defer { db.close() }
        try db.execute(
            """
            CREATE TABLE customers (
                id integer PRIMARY KEY, name text NOT NULL, email text, balance numeric(14,2), born date,
                created timestamptz, profile jsonb, avatar bytea);
            INSERT INTO customers
            SELECT i, 'Kunde ' || i || ' Zoë Ωmega 日本 ' || md5(i::text), 'user' || i || '@example.org',
                   (i * 13.37)::numeric(14,2), date '1950-01-01' + (i % 20000),
                   timestamptz '2020-01-01 00:00:00+00' + i * interval '37 seconds',
                   jsonb_build_object('tier', i % 5, 'tags', jsonb_build_array('a', i, 'ü'), 'note', repeat('x', i % 50)),
                   decode(md5(i::text) || md5((i + 1)::text), 'hex')
            FROM generate_series(1, \(rows)) AS i;
            CREATE TABLE notes (id bigserial PRIMARY KEY, body text);
            INSERT INTO notes (body) VALUES ('\(marker)'), (repeat('ß', 100)), (NULL);
            CREATE SCHEMA billing;
            CREATE TABLE billing.invoices (id integer PRIMARY KEY, customer integer REFERENCES customers(id),
                amount numeric(12,4), issued date, lines jsonb);
            INSERT INTO billing.invoices
            SELECT i, 1 + i % \(rows), i / 7.0, date '2024-02-29' + (i % 400), '[{"sku": "é-1", "qty": 2}]'
            FROM generate_series(1, \(rows / 2)) AS i;
            CREATE TABLE empty_table (id integer);
            CREATE VIEW billing.big_spenders AS SELECT c.name, sum(i.amount) AS total
                FROM customers c JOIN billing.invoices i ON i.customer = c.id GROUP BY c.name;
            CREATE INDEX ON customers (email);
            """)
    }

    /// Tables and views compared between source and restore.
    static let relations = [
        "public.customers", "public.notes", "billing.invoices", "public.empty_table", "billing.big_spenders",
    ]

    /// An order-independent digest of a relation's rows (their text form) and the row count.
    static func fingerprint(_ connection: PGConnection, _ relation: String) throws -> (rows: String, digest: String) {
        let result = try connection.query(
            "SELECT count(*)::text, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \(relation) t")
        return (result.rows[0][0] ?? "", result.rows[0][1] ?? "")
    }

    static func fingerprints(_ env: TestEnvironment, database: String) throws -> [String: String] {
        let db = try PGConnection(try env.connectionInfo(database: database))
        defer { db.close() }
        var result: [String: String] = [:]
        for relation in relations {
            let print = try fingerprint(db, relation)
            result[relation] = "\(print.rows):\(print.digest)"
        }
        return result
    }

    static func drop(_ env: TestEnvironment, _ names: String...) {
        guard let admin = try? env.admin() else { return }
        defer { admin.close() }
        for name in names { try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }
}
