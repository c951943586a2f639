// WALReadyPlan: which `.ready` segments `wal push` archives alongside the one PostgreSQL asked for, and the
// marker it leaves for each (`pg_wal/lifeboat-pushed/<name>`). Pure: names and text in, facts out.
//
// PostgreSQL archives one file per archive_command call, so a backlog drains at one upload per process.
// Segments with `archive_status/<name>.ready` are complete and stay in pg_wal until PostgreSQL has archived
// them itself, so they can be pushed early; the marker lets PostgreSQL's own later call for that name finish
// with a local hash comparison instead of a repository round trip.
import Foundation

public enum WALReadyPlan {
    /// Up to `limit` segments named by `<name>.ready` entries of archive_status, oldest first, other than
    /// `asked`. Only plain segments: history, backup history and .partial files are left to PostgreSQL.
    public static func select(statusEntries: [String], besides asked: WALName, limit: Int) -> [WALName] {
        guard limit > 0 else { return [] }
        let ready = statusEntries.compactMap { entry -> WALName? in
            guard entry.hasSuffix(".ready"), let name = WALName(String(entry.dropLast(6))), name.kind == .segment,
                name != asked
            else {
                return nil
            }
            return name
        }
        return Array(ready.sorted().prefix(limit))
    }

    /// The `.ready` entries of archive_status that name a WAL file of any kind (segment, .partial, history,
    /// backup history): everything PostgreSQL still waits to archive. `wal push` reports them as the backlog.
    public static func waiting(statusEntries: [String]) -> [String] {
        statusEntries.filter { $0.hasSuffix(".ready") && WALName(String($0.dropLast(6))) != nil }.sorted()
    }
}

/// What `wal push` recorded about a file it archived before PostgreSQL asked for it: its size and plaintext
/// SHA-256, as in the file's committed record, and the key of the object that record names (reported by the
/// later call). Text form: `<size> <sha256 hex> <object key>[ <identity>]\n`; markers without the key (written
/// by earlier releases) are read too. The background pusher adds the identity of the file it read
/// (WALFileIdentity), which lets the archive_command skip re-hashing a file that is still exactly that file.
public struct WALPushMarker: Sendable, Equatable {
    public static let directoryName = "lifeboat-pushed"
    public var size: Int64
    public var sha256: String
    public var object: String?
    public var identity: WALFileIdentity?

    public init(size: Int64, sha256: String, object: String? = nil, identity: WALFileIdentity? = nil) {
        self.size = size
        self.sha256 = sha256
        self.object = object
        self.identity = object == nil ? nil : identity  // the text form has it only after the key
    }

    public init?(text: String) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard (2...4).contains(fields.count), let size = Int64(fields[0]), size >= 0, fields[1].count == 64,
            fields[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        let object = fields.count >= 3 ? String(fields[2]) : nil
        if let object {
            guard object.hasPrefix("wal/"), let file = object.split(separator: "/").last,
                WALObjectName(fileName: String(file)) != nil
            else { return nil }
        }
        var identity: WALFileIdentity?
        if fields.count == 4 {
            guard let parsed = WALFileIdentity(text: fields[3]) else { return nil }
            identity = parsed
        }
        self.init(size: size, sha256: String(fields[1]), object: object, identity: identity)
    }

    public var text: String {
        "\(size) \(sha256)" + (object.map { " " + $0 } ?? "") + (identity.map { " " + $0.text } ?? "") + "\n"
    }
}
