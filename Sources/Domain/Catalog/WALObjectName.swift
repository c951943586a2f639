// WALObjectName: the file name of the sealed object holding one push of a WAL file (docs/format.md §8).
//
// Every push uploads under a name of its own, `<name>.<token>.lbx` with a fresh random token, and then creates
// the record `<name>.meta.lbx` exclusively, naming that object. The record's create is the one commit point:
// no push ever writes an object another push (or a record) refers to, so the record and the bytes it names
// cannot disagree, and a loser only ever deletes its own object. Repositories written before this scheme have
// records without `object`; their object is the fixed `<name>.lbx` (a *legacy* name), read as before.
import Foundation

public struct WALObjectName: Sendable, Hashable, CustomStringConvertible {
    /// Hex digits of a push token: 64 random bits, so two pushes never pick the same name.
    public static let tokenLength = 16

    /// The WAL file the object holds.
    public let name: WALName
    /// The push token; nil for the legacy `<name>.lbx`.
    public let token: String?

    public init(name: WALName, token: String?) {
        self.name = name
        self.token = token
    }

    /// A new name for one push of `name`.
    public static func fresh(for name: WALName) -> WALObjectName {
        let random = UInt64.random(in: .min ... .max)
        let hex = String(random, radix: 16)
        return WALObjectName(name: name, token: String(repeating: "0", count: tokenLength - hex.count) + hex)
    }

    /// The legacy object of `name`: where releases before per-push names stored it.
    public static func legacy(_ name: WALName) -> WALObjectName { WALObjectName(name: name, token: nil) }

    /// Parses an object's file name (the last component of its key); nil for records and anything else.
    /// WAL names are upper-case hex and fixed suffixes, so a lower-case hex token cannot be mistaken for part of one.
    public init?(fileName: String) {
        guard fileName.hasSuffix(RepositoryLayout.sealedExtension),
            !fileName.hasSuffix(RepositoryLayout.walRecordSuffix)
        else { return nil }
        let stem = String(fileName.dropLast(RepositoryLayout.sealedExtension.count))
        if let name = WALName(stem) {
            self.init(name: name, token: nil)
            return
        }
        guard let dot = stem.lastIndex(of: "."), let name = WALName(String(stem[..<dot])) else { return nil }
        let token = String(stem[stem.index(after: dot)...])
        guard Self.isToken(token) else { return nil }
        self.init(name: name, token: token)
    }

    public var fileName: String {
        name.rawValue + (token.map { "." + $0 } ?? "") + RepositoryLayout.sealedExtension
    }

    public var description: String { fileName }

    static func isToken(_ text: String) -> Bool {
        text.utf8.count == tokenLength
            && text.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }
}

extension WALFileRecord {
    /// The object this record commits: the one it names, or the legacy `<name>.lbx` for a record written before
    /// records named their object. Nil when `object` is not an object name of this record's file (a damaged or
    /// forged record: the caller reports it).
    public var objectName: WALObjectName? {
        guard let name = WALName(self.name) else { return nil }
        guard let object else { return .legacy(name) }
        guard let parsed = WALObjectName(fileName: object), parsed.name == name, parsed.token != nil else { return nil }
        return parsed
    }
}

extension RepositoryLayout {
    /// `wal/<cluster>/<directory>/<object file name>`: the object beside its record.
    public static func walObject(cluster: String, object: WALObjectName) -> String {
        walDirectory(cluster: cluster, name: object.name) + "/" + object.fileName
    }
}
