// PGResultSet: a query result copied out of libpq into Swift values, so no PGresult outlives the call that
// produced it. Values are in PostgreSQL's text format (bytea as '\x…' hex, jsonb as JSON text); nil is SQL NULL.
import CLibPQ

public struct PGResultSet: Sendable, Equatable {
    public let columns: [String]
    public let rows: [[String?]]
    /// Rows affected by INSERT/UPDATE/DELETE/MERGE/SELECT/MOVE/FETCH/COPY; 0 for other commands.
    public var affectedRows: Int

    public init(columns: [String], rows: [[String?]], affectedRows: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// `result[row, "column"]` (unlabelled, as Swift subscripts are): the value in the first column of that name;
    /// nil for SQL NULL, an unknown column or a row out of range (check `rows.count` and `columns` when the
    /// difference matters).
    public subscript(row: Int, column: String) -> String? {
        guard rows.indices.contains(row), let index = columns.firstIndex(of: column) else { return nil }
        return rows[row][index]
    }

    /// Copies everything out of a PGresult; the caller still owns and clears it.
    init(copying result: OpaquePointer) {
        let fieldCount = Int(PQnfields(result))
        let tupleCount = Int(PQntuples(result))
        columns = (0..<fieldCount).map { field in
            PQfname(result, Int32(field)).map { String(cString: $0) } ?? ""
        }
        var copied: [[String?]] = []
        copied.reserveCapacity(tupleCount)
        for tuple in 0..<Int32(tupleCount) {
            copied.append(
                (0..<Int32(fieldCount)).map { field in
                    guard PQgetisnull(result, tuple, field) == 0, let value = PQgetvalue(result, tuple, field) else {
                        return nil
                    }
                    return String(cString: value)
                })
        }
        rows = copied
        affectedRows = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
    }
}
