// RowCountCheck: the logical restore's own verification that every table holds the rows its backup counted in
// the dump's snapshot. With `--jobs N` the tables are counted on N connections at once, largest (by recorded rows)
// first, each connection taking the next table when it is done: counting a multi-gigabyte database one table at
// a time on one core after a parallel load cost a parallel restore a third of its time.
import Catalog
import Foundation
import PGClient

struct RowCountCheck: Sendable {
    /// Opens one session on the restored database.
    let connect: @Sendable () throws -> any PostgresSession
    let jobs: Int

    struct Outcome {
        var rows: Int64 = 0
        var mismatches: [String] = []
    }

    func run(_ tables: [TableCount]) throws -> Outcome {
        let workers = max(1, min(jobs, tables.count))
        guard workers > 1 else { return try count(tables[...], session: try open()) }
        let queue = TableQueue(tables.sorted { $0.rows > $1.rows })
        let results = (0..<workers).map { _ in WorkerResult() }
        let group = DispatchGroup()
        for result in results {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                result.value = Result { try countFromQueue(queue) }
            }
            thread.name = "lifeboat-row-count"
            thread.start()
        }
        group.wait()
        var total = Outcome()
        for result in results {
            let outcome = try result.value!.get()
            total.rows += outcome.rows
            total.mismatches += outcome.mismatches
        }
        total.mismatches.sort()
        return total
    }

    private func open() throws -> any PostgresSession {
        let session = try connect()
        // The restored database may now carry its backup's statement_timeout; counting a big table must not hit it.
        try session.execute("SET statement_timeout = 0")
        return session
    }

    private func countFromQueue(_ queue: TableQueue) throws -> Outcome {
        let session = try open()
        defer { session.close() }
        var outcome = Outcome()
        while let table = queue.next() { try count(table, session: session, into: &outcome) }
        return outcome
    }

    private func count(_ tables: ArraySlice<TableCount>, session: any PostgresSession) throws -> Outcome {
        defer { session.close() }
        var outcome = Outcome()
        for table in tables { try count(table, session: session, into: &outcome) }
        return outcome
    }

    private func count(_ table: TableCount, session: any PostgresSession, into outcome: inout Outcome) throws {
        let sql =
            "SELECT count(*) FROM \(try session.quoteIdentifier(table.schema)).\(try session.quoteIdentifier(table.table))"
        do {
            let count = Int64(try session.query(sql).rows[0][0] ?? "") ?? -1
            if count != table.rows {
                outcome.mismatches.append("\(table.qualifiedName) has \(count) rows, backup recorded \(table.rows)")
            }
            outcome.rows += max(count, 0)
        } catch let error as PGError {
            outcome.mismatches.append("\(table.qualifiedName) is unreadable (\(error.message))")
        }
    }

    /// The tables still to count, handed out one at a time.
    private final class TableQueue: @unchecked Sendable {
        // `remaining` is guarded by `lock`.
        private let lock = NSLock()
        private var remaining: ArraySlice<TableCount>
        init(_ tables: [TableCount]) { remaining = tables[...] }
        func next() -> TableCount? { lock.withLock { remaining.popFirst() } }
    }

    /// One worker's outcome, written by its thread before the group is left.
    private final class WorkerResult: @unchecked Sendable {
        var value: Result<Outcome, Error>?
    }
}
