// RepositoryLayout: where every kind of object lives inside a repository (docs/format.md §Layout).
// All key construction goes through here so the layout is defined exactly once.
import Foundation

public enum RepositoryLayout {
    public static let descriptor = "repository.json"
    public static let keyringObject = "keys/keyring.lbx"
    public static let keySlotPrefix = "keys/slot-"
    /// The journal of a master-key rotation in progress (KeyRotationJournal).
    public static let keyRotationJournal = "keys/rotation.json"
    public static let sealedExtension = ".lbx"
    public static let manifestName = "manifest.lbx"
    public static let pinRecordName = "pin.lbx"

    public static func keySlot(_ slotID: String) -> String { "\(keySlotPrefix)\(slotID).json" }
    public static func clusterBackups(_ cluster: String) -> String { "backups/\(cluster)/" }
    public static func backupDirectory(cluster: String, id: BackupID) -> String { "backups/\(cluster)/\(id.rawValue)" }
    public static func manifest(cluster: String, id: BackupID) -> String {
        backupDirectory(cluster: cluster, id: id) + "/" + manifestName
    }
    /// `backups/<cluster>/<id>/pin.lbx`: a pin set after the backup (Catalog/PinRecord.swift).
    public static func pinRecord(cluster: String, id: BackupID) -> String {
        backupDirectory(cluster: cluster, id: id) + "/" + pinRecordName
    }
    /// `prune/<cluster>/`: one sealed record per prune run, written before it changes anything.
    public static func pruneRecords(_ cluster: String) -> String { "prune/\(cluster)/" }
    public static func pruneRecord(cluster: String, id: String) -> String {
        pruneRecords(cluster) + id + sealedExtension
    }
    /// `drills/<cluster>/`: one sealed evidence record per drill run.
    public static func drillRecords(_ cluster: String) -> String { "drills/\(cluster)/" }
    public static func drillRecord(cluster: String, id: String) -> String {
        drillRecords(cluster) + id + sealedExtension
    }
    public static func object(cluster: String, id: BackupID, name: String) -> String {
        backupDirectory(cluster: cluster, id: id) + "/" + name
    }
    /// Object names inside a backup directory: `db-0001.tar.zst.lbx`, `globals.tar.zst.lbx`.
    public static func databaseObjectName(index: Int, compressed: Bool) -> String {
        String(format: "db-%04d.%@", index, compressed ? "tar.zst.lbx" : "tar.lbx")
    }
    public static func globalsObjectName(compressed: Bool) -> String {
        compressed ? "globals.tar.zst.lbx" : "globals.tar.lbx"
    }
    /// The pieced entry inside a database object: `pg_dump --format=custom` output (docs/format.md §6.2).
    public static let dumpEntryName = "pg_dump.custom"
    /// The pieced entry inside the globals object: `pg_dumpall --globals-only` output as plain SQL.
    public static let globalsEntryName = "globals.sql"
    /// The main object of a physical snapshot: the data directory's base backup tar as the pieced stream `base.tar`.
    public static func snapshotObjectName(compressed: Bool) -> String {
        compressed ? "base.tar.zst.lbx" : "base.tar.lbx"
    }
    /// A snapshot's user tablespace `oid`: `tblspc-<oid>.tar.zst.lbx`, holding the pieced entry `tblspc-<oid>.tar`.
    public static func tablespaceObjectName(oid: UInt32, compressed: Bool) -> String {
        "tblspc-\(oid).tar" + (compressed ? ".zst.lbx" : ".lbx")
    }
    public static func tablespaceEntryName(oid: UInt32) -> String { "tblspc-\(oid).tar" }
    /// A snapshot's copy of the server's own backup manifest (docs/format.md §6.5), pieced entry `backup_manifest`.
    public static func serverManifestObjectName(compressed: Bool) -> String {
        compressed ? "backup_manifest.tar.zst.lbx" : "backup_manifest.tar.lbx"
    }
    public static let serverManifestEntryName = "backup_manifest"

    /// The top-level folders that hold one subfolder per cluster (`backups/<cluster>/`, `wal/<cluster>/`, …):
    /// a fleet view finds its clusters there, since the repository keeps no list of them.
    public static let clusterRoots = ["backups/", "wal/", "drills/", "prune/"]

    /// The cluster names in a listing of the `clusterRoots`: the first path component under a root, sorted and
    /// without duplicates. A key directly under a root (no cluster folder) names no cluster.
    public static func clusterNames(in keys: [String]) -> [String] {
        var names = Set<String>()
        for key in keys {
            guard let root = clusterRoots.first(where: { key.hasPrefix($0) }) else { continue }
            let rest = key.dropFirst(root.count)
            guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else { continue }
            names.insert(String(rest[..<slash]))
        }
        return names.sorted()
    }

    /// The backup IDs whose manifest key appears in a listing of `clusterBackups(cluster)`.
    public static func completedBackups(in keys: [String], cluster: String) -> [BackupID] {
        let prefix = clusterBackups(cluster)
        return keys.compactMap { key -> BackupID? in
            guard key.hasPrefix(prefix), key.hasSuffix("/" + manifestName) else { return nil }
            let middle = key.dropFirst(prefix.count).dropLast(manifestName.count + 1)
            return middle.contains("/") ? nil : BackupID(String(middle))
        }.sorted()
    }
}
