// WALListing: one listing of `wal/<cluster>/`, split into the records (`<name>.meta.lbx`, which commit a file)
// and the objects (`<name>.<token>.lbx`, or the legacy `<name>.lbx`; WALObjectName.swift). WALInventory and the
// prune planner both start from it.
//
// A listing cannot tell which object a record names (that is inside the sealed record), but it rarely needs
// to: a push deletes its own object when it loses, so a name normally has exactly its committed object. More
// than one object under a name means pushes died between their upload and their record; whoever must know
// which one is committed (prune, before deleting) reads the record.
import Catalog
import Foundation
import Storage

public struct WALListing {
    /// Record of each file by WAL file name.
    public var records: [String: BlobInfo] = [:]
    /// Objects of each file by WAL file name, oldest first.
    public var objects: [String: [BlobInfo]] = [:]
    public var hasSystemRecord = false
    /// Partial segments of the WAL receiver (`partial/<segment>.lbx`, docs/format.md §8.7) by segment name: never
    /// archived files, so never among `records` or `objects`.
    public var partials: [String: BlobInfo] = [:]
    /// Bytes of everything listed under `wal/<cluster>/`: objects, records, leftovers.
    public var storedBytes: Int64 = 0

    public static func list(_ store: BlobStore, cluster: String) throws -> WALListing {
        let prefix = RepositoryLayout.walCluster(cluster)
        var listing = WALListing()
        for info in try store.list(prefix: prefix) {
            listing.storedBytes += info.size
            let rest = info.key.rawValue.dropFirst(prefix.count)
            if String(rest) == "system-identifier" + RepositoryLayout.sealedExtension {
                listing.hasSystemRecord = true
                continue
            }
            if let segment = RepositoryLayout.walPartialSegment(key: info.key.rawValue, cluster: cluster) {
                listing.partials[segment.rawValue] = info
                continue
            }
            guard let file = rest.split(separator: "/").last.map(String.init) else { continue }
            if file.hasSuffix(RepositoryLayout.walRecordSuffix) {
                listing.records[String(file.dropLast(RepositoryLayout.walRecordSuffix.count))] = info
            } else if let object = WALObjectName(fileName: file),
                info.key.rawValue == RepositoryLayout.walObject(cluster: cluster, object: object)
            {
                listing.objects[object.name.rawValue, default: []].append(info)
            }
        }
        for name in listing.objects.keys {
            // Field by field: Swift 6.3.1 -O has crashed on tuple `<` in sort closures (see Pruner.expireBackups).
            listing.objects[name]!.sort {
                $0.modified != $1.modified ? $0.modified < $1.modified : $0.key.rawValue < $1.key.rawValue
            }
        }
        return listing
    }

    /// Files whose record sits where the layout puts it, with the objects listed under their name.
    public func committedFiles(cluster: String) -> [(name: WALName, record: BlobInfo, objects: [BlobInfo])] {
        records.compactMap { text, record in
            guard let name = WALName(text),
                record.key.rawValue == RepositoryLayout.walRecord(cluster: cluster, name: name)
            else { return nil }
            return (name, record, objects[text] ?? [])
        }.sorted { $0.name < $1.name }
    }

    /// Partials whose full segment is archived (a record is listed): the receiver deletes them after archiving the
    /// segment, so these are left by a receiver that stopped in between.
    public var supersededPartials: [BlobInfo] {
        partials.filter { records[$0.key] != nil }.map(\.value).sorted { $0.key.rawValue < $1.key.rawValue }
    }

    /// Names with an object that may be named by no record: no record listed, or more objects than the one a
    /// record names. Prune reads each one's record again before deleting anything (Pruner+WAL.swift).
    public var namesWithPossibleLeftovers: [WALName] {
        objects.compactMap { text, list in
            records[text] == nil || list.count > 1 ? WALName(text) : nil
        }.sorted()
    }
}
