// DumpFileRecord: one file of a `pg_dump --format=directory` dump (a table's data, a large object, a large-object
// list), stored as the pieced stream `name` in its own object (docs/format.md §6.2).
import Foundation

public struct DumpFileRecord: Codable, Sendable, Equatable {
    /// The file's name in pg_dump's directory: `<dump id>.dat`, `blob_<oid>.dat`, `blobs.toc`, `blobs_<id>.toc`.
    public var name: String
    public var object: String
    /// Its length in bytes (uncompressed, as pg_dump wrote it).
    public var size: Int64

    public init(name: String, object: String, size: Int64) {
        self.name = name
        self.object = object
        self.size = size
    }

    /// The names pg_dump 15–18 gives the files of a directory dump without compression, besides `toc.dat`. A backup
    /// refuses any other file (a pg_dump that writes something else may need it, and it would be lost), and a
    /// restore refuses any other recorded name: names become paths in the restore's private directory.
    public static func isDataFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func digits(_ slice: ArraySlice<UInt8>) -> Bool {
            !slice.isEmpty && slice.count <= 20 && slice.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
        func stripping(_ prefix: String, _ suffix: String) -> ArraySlice<UInt8>? {
            let p = Array(prefix.utf8)
            let s = Array(suffix.utf8)
            guard bytes.count >= p.count + s.count, bytes.starts(with: p), bytes.suffix(s.count).elementsEqual(s)
            else { return nil }
            return bytes[p.count..<(bytes.count - s.count)]
        }
        if name == "blobs.toc" { return true }
        if let middle = stripping("blob_", ".dat") { return digits(middle) }
        if let middle = stripping("blobs_", ".toc") { return digits(middle) }
        if let middle = stripping("", ".dat") { return digits(middle) }
        return false
    }

    /// Large-object lists: pg_restore reads them whole before the files they name, and pg_dump keeps them open
    /// while it writes those files, so they are stored once complete.
    public static func isListFileName(_ name: String) -> Bool { name.hasSuffix(".toc") }
}
