// BackupDirectories: one listing of `backups/<cluster>/`, grouped by backup directory. A directory with a
// manifest is a complete backup; one without is the leftover of a failed or interrupted run.
import Catalog
import Foundation
import Policy
import Storage

public struct BackupDirectories {
    /// Objects of each backup directory by name inside the directory ("manifest.lbx", "db-0001.tar.zst.lbx").
    public var objects: [BackupID: [String: BlobInfo]]

    public static func list(_ store: BlobStore, cluster: String) throws -> BackupDirectories {
        let prefix = RepositoryLayout.clusterBackups(cluster)
        var objects: [BackupID: [String: BlobInfo]] = [:]
        for info in try store.list(prefix: prefix) {
            let parts = info.key.rawValue.dropFirst(prefix.count).split(separator: "/")
            guard parts.count == 2, let id = BackupID(String(parts[0])) else { continue }
            objects[id, default: [:]][String(parts[1])] = info
        }
        return BackupDirectories(objects: objects)
    }

    public var ids: [BackupID] { objects.keys.sorted() }

    public func isComplete(_ id: BackupID) -> Bool { objects[id]?[RepositoryLayout.manifestName] != nil }

    public func hasPinRecord(_ id: BackupID) -> Bool { objects[id]?[RepositoryLayout.pinRecordName] != nil }

    /// Data objects: everything but the manifest and the pin record (those stay in the hot class).
    public func dataObjects(_ id: BackupID) -> [BlobInfo] {
        (objects[id] ?? [:]).filter {
            $0.key != RepositoryLayout.manifestName && $0.key != RepositoryLayout.pinRecordName
        }
        .sorted { $0.key < $1.key }.map(\.value)
    }

    public func storedBytes(_ id: BackupID) -> Int64 { (objects[id] ?? [:]).values.reduce(0) { $0 + $1.size } }

    /// The coldest storage class among the data objects; nil when the store has no classes.
    public func dataStorageClass(_ id: BackupID) -> String? {
        let classes = dataObjects(id).compactMap(\.storageClass)
        let order = TieringRule.storageClassOrder
        return classes.max { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) }
    }
}
