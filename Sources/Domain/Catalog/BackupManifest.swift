// BackupManifest: the per-backup ledger and restore plan. It lists every stored object with its size and
// SHA-256 and everything a restore and its checks need. It is sealed (encrypted and authenticated) and written
// last: a backup exists exactly when its manifest does. docs/format.md §Manifest specifies the JSON.
import Foundation

public enum BackupKind: String, Codable, Sendable, CaseIterable {
    case logical
    case snapshot
}

public struct BackupManifest: Codable, Sendable, Equatable {
    /// Version 1: full backups. Version 2: incremental snapshots (`snapshot.incremental`), which a reader knowing
    /// only version 1 must refuse: it would restore their delta entries as files. Version 3: a logical backup with
    /// a database in `pg_dump-directory` format (`files`), which an older reader would look for a custom-format
    /// stream in and report as damaged.
    public static let currentFormatVersion = 1
    public static let incrementalFormatVersion = 2
    public static let directoryDumpFormatVersion = 3
    /// A snapshot read from a standby: its tar holds `standby.signal`, which a restore must delete (docs/format.md §6.1).
    public static let standbySnapshotFormatVersion = 4
    /// A `page-lsn` incremental whose `LBDELTA` entries are sparse parts (docs/format.md §6.5), which a reader
    /// knowing only the dense form would report as damaged.
    public static let sparseDeltaFormatVersion = 5
    public static let newestReadableFormatVersion = 5

    public var formatVersion: Int
    public var id: BackupID
    public var cluster: String
    public var kind: BackupKind
    public var label: String?
    public var startedAt: Date
    public var finishedAt: Date
    public var pinned: Bool
    public var keepUntil: Date?
    public var tool: ToolInfo
    public var server: ServerInfo
    public var compression: CompressionInfo
    public var encryption: EncryptionInfo
    public var objects: [StoredObject]
    public var databases: [DatabaseRecord]
    public var globals: GlobalsRecord?
    /// Physical snapshots only (kind `snapshot`): what the base backup needs to become consistent. Optional, so
    /// manifests written before snapshots existed still decode.
    public var snapshot: SnapshotRecord?
    /// Set when the objects were uploaded under S3 Object Lock: the mode and a retain-until date no earlier
    /// than any of the backup's objects' (finish time + the policy's days). Optional, absent without a lock.
    public var objectLock: ObjectLockRecord?

    public init(
        id: BackupID, cluster: String, kind: BackupKind, label: String?, startedAt: Date, finishedAt: Date,
        pinned: Bool, keepUntil: Date?, tool: ToolInfo, server: ServerInfo, compression: CompressionInfo,
        encryption: EncryptionInfo, objects: [StoredObject], databases: [DatabaseRecord], globals: GlobalsRecord?
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.id = id
        self.cluster = cluster
        self.kind = kind
        self.label = label
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.pinned = pinned
        self.keepUntil = keepUntil
        self.tool = tool
        self.server = server
        self.compression = compression
        self.encryption = encryption
        self.objects = objects
        self.databases = databases
        self.globals = globals
    }

    /// Bytes stored in the repository for this backup, manifest excluded.
    public var storedBytes: Int64 { objects.reduce(0) { $0 + $1.storedSize } }
    /// Bytes of the dumps before compression and encryption.
    public var contentBytes: Int64 { objects.reduce(0) { $0 + $1.contentSize } }

    /// The parent and chain when this is an incremental snapshot; nil for fulls and logical backups.
    public var incremental: IncrementalRecord? { snapshot?.incremental }
    public var isIncremental: Bool { incremental != nil }

    public func object(named name: String) -> StoredObject? { objects.first { $0.name == name } }
    public func database(named name: String) -> DatabaseRecord? { databases.first { $0.name == name } }
}

/// A physical snapshot: `object` holds the pieced stream `entry` (the base backup tar of the data directory);
/// restoring it needs every WAL segment from `startWal` through `stopWal` on `timeline` (all archived before the
/// manifest was committed), and any later archived WAL for point-in-time recovery.
public struct SnapshotRecord: Codable, Sendable, Equatable {
    public var object: String
    public var entry: String
    public var format: String
    public var timeline: Int
    public var walSegmentSize: Int64
    public var startWal: String
    public var stopWal: String
    /// User tablespaces, each its own object (docs/format.md §6.3); absent when the cluster has none.
    public var tablespaces: [TablespaceRecord]?
    /// The object holding the server's own backup manifest (`backup_manifest`, §6.5): the file list a later
    /// incremental compares with, and what PostgreSQL 17+ needs uploaded to send only changed blocks. Absent in
    /// snapshots made before incrementals existed (they cannot be a parent).
    public var serverManifest: String?
    /// Set for an incremental snapshot (§6.5): its parent and chain. Absent for a full snapshot.
    public var incremental: IncrementalRecord?
    /// True when the data was read from a streaming standby (§6.3); absent when it was read from the primary.
    /// Restores read it the same way either way.
    public var fromStandby: Bool?
    public init(
        object: String, entry: String, format: String, timeline: Int, walSegmentSize: Int64, startWal: String,
        stopWal: String,
        tablespaces: [TablespaceRecord]? = nil, serverManifest: String? = nil, incremental: IncrementalRecord? = nil
    ) {
        self.object = object
        self.entry = entry
        self.format = format
        self.timeline = timeline
        self.walSegmentSize = walSegmentSize
        self.startWal = startWal
        self.stopWal = stopWal
        self.tablespaces = tablespaces
        self.serverManifest = serverManifest
        self.incremental = incremental
    }
}

/// One user tablespace of a snapshot: its OID and directory on the source server, and the object and pieced
/// entry holding its tar (`tblspc-<oid>.tar`); `size` is the tar's length in bytes.
public struct TablespaceRecord: Codable, Sendable, Equatable {
    public var oid: UInt32
    public var location: String
    public var object: String
    public var entry: String
    public var size: Int64
    public init(oid: UInt32, location: String, object: String, entry: String, size: Int64) {
        self.oid = oid
        self.location = location
        self.object = object
        self.entry = entry
        self.size = size
    }
}

public struct ObjectLockRecord: Codable, Sendable, Equatable {
    public var mode: String
    public var retainUntil: Date
    public init(mode: String, retainUntil: Date) {
        self.mode = mode
        self.retainUntil = retainUntil
    }
}

public struct ToolInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public var host: String
    public init(name: String, version: String, host: String) {
        self.name = name
        self.version = version
        self.host = host
    }
}

public struct ServerInfo: Codable, Sendable, Equatable {
    public var version: String
    public var versionNumber: Int
    public var systemIdentifier: String?
    public var timeline: Int?
    /// WAL position when the dump's snapshot was taken (logical) or the backup started (snapshot).
    public var startLsn: String
    public var stopLsn: String?
    public init(
        version: String, versionNumber: Int, systemIdentifier: String?, timeline: Int?, startLsn: String,
        stopLsn: String?
    ) {
        self.version = version
        self.versionNumber = versionNumber
        self.systemIdentifier = systemIdentifier
        self.timeline = timeline
        self.startLsn = startLsn
        self.stopLsn = stopLsn
    }
}

public struct CompressionInfo: Codable, Sendable, Equatable {
    public var algorithm: String
    public var level: Int
    public init(algorithm: String, level: Int) {
        self.algorithm = algorithm
        self.level = level
    }
}

public struct EncryptionInfo: Codable, Sendable, Equatable {
    public var algorithm: String
    public var keyId: String
    public init(algorithm: String, keyId: String) {
        self.algorithm = algorithm
        self.keyId = keyId
    }
}

/// One sealed object of the backup: `name` is relative to the backup's directory in the repository.
public struct StoredObject: Codable, Sendable, Equatable {
    public var name: String
    public var storedSize: Int64
    public var sha256: String
    /// Uncompressed bytes of the content (all tar entry data).
    public var contentSize: Int64
    public var storageClass: String?
    public init(name: String, storedSize: Int64, sha256: String, contentSize: Int64, storageClass: String? = nil) {
        self.name = name
        self.storedSize = storedSize
        self.sha256 = sha256
        self.contentSize = contentSize
        self.storageClass = storageClass
    }
}

public struct DatabaseRecord: Codable, Sendable, Equatable {
    /// `pg_dump --format=custom` as one stream in `object` (backups with one job).
    public static let customFormat = "pg_dump-custom"
    /// `pg_dump --format=directory`: `toc.dat` in `object`, every other file of the directory in its own object.
    public static let directoryFormat = "pg_dump-directory"

    public var name: String
    public var object: String
    public var dumpFormat: String
    public var tables: [TableCount]
    /// Settings, comment and privileges of the database, read in the dump's snapshot. Optional: absent in
    /// backups made before lifeboat recorded them, whose restores leave the target's own.
    public var properties: DatabaseProperties?
    /// The data files of a `pg_dump-directory` dump, each in its own object; nil for the custom format.
    public var files: [DumpFileRecord]?
    public init(
        name: String, object: String, dumpFormat: String, tables: [TableCount],
        properties: DatabaseProperties? = nil, files: [DumpFileRecord]? = nil
    ) {
        self.name = name
        self.object = object
        self.dumpFormat = dumpFormat
        self.tables = tables
        self.properties = properties
        self.files = files
    }
    public var totalRows: Int64 { tables.reduce(0) { $0 + $1.rows } }
    public var isDirectoryDump: Bool { dumpFormat == Self.directoryFormat }
    /// Every object the database's dump is stored in: the main one first.
    public var objects: [String] { [object] + (files ?? []).map(\.object) }
}

public struct TableCount: Codable, Sendable, Equatable, Hashable {
    public var schema: String
    public var table: String
    public var rows: Int64
    public init(schema: String, table: String, rows: Int64) {
        self.schema = schema
        self.table = table
        self.rows = rows
    }
    public var qualifiedName: String { "\(schema).\(table)" }
}

public struct GlobalsRecord: Codable, Sendable, Equatable {
    /// Object holding `pg_dumpall --globals-only` output; nil when the role could not read globals.
    public var object: String?
    public var note: String?
    public init(object: String?, note: String?) {
        self.object = object
        self.note = note
    }
}
