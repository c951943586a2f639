// PlanInput: the facts the retention planner decides on, gathered by the engine from the repository (one
// listing, the manifests, pin records) or built by hand in tests. No I/O happens past this point.
import Catalog
import Foundation

/// One backup directory of the cluster: a complete backup (manifest present) or the leftover of a failed run.
public struct PlannedBackup: Sendable, Equatable, Codable {
    public var id: String
    public var kind: BackupKind
    public var startedAt: Date
    /// nil for leftovers (no manifest).
    public var finishedAt: Date?
    /// False for a directory without a manifest: a failed or interrupted backup's leftovers.
    public var complete: Bool
    /// Pinned indefinitely (`backup --pin`, `lifeboat pin ID`).
    public var pinned: Bool
    /// Pinned until this time (`--keep-until`, `pin --until`).
    public var keepUntil: Date?
    /// Snapshots: the timeline and WAL span they need for consistency (start … stop, inclusive).
    public var timeline: UInt32?
    public var startWal: String?
    public var stopWal: String?
    /// Storage class of its data objects now (the coldest one when they differ); nil when the store has none.
    public var storageClass: String?
    /// Object Lock retain-until of its objects (the latest); nil when not locked.
    public var lockedUntil: Date?
    public var storedBytes: Int64
    /// Incremental snapshots (docs/format.md §6.5): the chain a restore of it reads, the full snapshot first and
    /// its parent last; nil for a full backup.
    public var chain: [String]?
    /// Why an incremental's chain does not hold, as the engine found when authenticating it (a parent swapped or
    /// of another cluster history); nil when it holds. A chain member missing from the input is found here too.
    public var chainBroken: String?

    public init(
        id: String, kind: BackupKind, startedAt: Date, finishedAt: Date?, complete: Bool = true,
        pinned: Bool = false, keepUntil: Date? = nil, timeline: UInt32? = nil, startWal: String? = nil,
        stopWal: String? = nil, storageClass: String? = nil, lockedUntil: Date? = nil, storedBytes: Int64 = 0,
        chain: [String]? = nil, chainBroken: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.complete = complete
        self.pinned = pinned
        self.keepUntil = keepUntil
        self.timeline = timeline
        self.startWal = startWal
        self.stopWal = stopWal
        self.storageClass = storageClass
        self.lockedUntil = lockedUntil
        self.storedBytes = storedBytes
        self.chain = chain
        self.chainBroken = chainBroken
    }

    /// The parent of an incremental; nil for a full backup.
    public var parent: String? { chain?.last }
}

/// One archived WAL file (segment, .partial, .history or .backup).
public struct PlannedWALFile: Sendable, Equatable, Codable {
    public var name: String
    public var archivedAt: Date
    public var size: Int64
    public init(name: String, archivedAt: Date, size: Int64 = 0) {
        self.name = name
        self.archivedAt = archivedAt
        self.size = size
    }
}

public struct PlanInput: Sendable, Equatable, Codable {
    public var cluster: String
    public var backups: [PlannedBackup]
    public var wal: [PlannedWALFile]
    /// wal_segment_size in bytes.
    public var segmentSize: Int64
    /// False for stores without storage classes (a local directory): no transitions are planned.
    public var storageClassesSupported: Bool

    public init(
        cluster: String, backups: [PlannedBackup], wal: [PlannedWALFile], segmentSize: Int64 = 16 << 20,
        storageClassesSupported: Bool
    ) {
        self.cluster = cluster
        self.backups = backups
        self.wal = wal
        self.segmentSize = segmentSize
        self.storageClassesSupported = storageClassesSupported
    }
}
