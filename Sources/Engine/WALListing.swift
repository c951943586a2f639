// WALListing: one listing of `wal/<cluster>/`, split into the records (`<name>.meta.lbx`, which commit a file)
// and the objects (`<name>.lbx`). WALInventory and the prune planner both start from it.
import Catalog
import Foundation
import Storage

public struct WALListing {
    /// Record of each file by WAL file name.
    public var records: [String: BlobInfo] = [:]
    /// Object of each file by WAL file name.
    public var objects: [String: BlobInfo] = [:]
    public var hasSystemRecord = false

    public static func list(_ store: BlobStore, cluster: String) throws -> WALListing {
        let prefix = RepositoryLayout.walCluster(cluster)
        var listing = WALListing()
        for info in try store.list(prefix: prefix) {
            let rest = info.key.rawValue.dropFirst(prefix.count)
            if String(rest) == "system-identifier" + RepositoryLayout.sealedExtension {
                listing.hasSystemRecord = true
                continue
            }
            guard let file = rest.split(separator: "/").last.map(String.init) else { continue }
            if file.hasSuffix(RepositoryLayout.walRecordSuffix) {
                listing.records[String(file.dropLast(RepositoryLayout.walRecordSuffix.count))] = info
            } else if file.hasSuffix(RepositoryLayout.sealedExtension) {
                listing.objects[String(file.dropLast(RepositoryLayout.sealedExtension.count))] = info
            }
        }
        return listing
    }

    /// Files whose record sits where the layout puts it, with their object when it exists.
    public func committedFiles(cluster: String) -> [(name: WALName, record: BlobInfo, object: BlobInfo?)] {
        records.compactMap { text, record in
            guard let name = WALName(text), record.key.rawValue == RepositoryLayout.walRecord(cluster: cluster, name: name) else { return nil }
            return (name, record, objects[text])
        }.sorted { $0.name < $1.name }
    }

    /// Objects without a record: a push in progress, or one that died between object and record.
    public var objectsWithoutRecord: [BlobInfo] {
        objects.filter { records[$0.key] == nil }.map(\.value).sorted { $0.key.rawValue < $1.key.rawValue }
    }
}
