// ReportInput: the facts a compliance report is computed from, gathered by the engine from the repository
// (manifests, listings, WAL inventory, prune journal, drill evidence) or built by hand in tests. Pure data.
import Catalog
import Drills
import Foundation
import Policy

public struct ReportInput: Sendable {
    public var cluster: String
    public var repository: String
    /// nil when the configuration names no policy: objectives, schedule and retention then cannot be judged.
    public var policy: RetentionPolicy?
    /// The period [since, until).
    public var since: Date
    public var until: Date
    /// When the report is made (`--now`); `until` is at most this.
    public var now: Date
    /// Complete backups (any time; the report picks the period).
    public var backups: [ReportBackup]
    /// Backup runs that failed or were interrupted: leftovers still in the repository plus those a prune
    /// removed (from the prune journal), by start time.
    public var failedRuns: [ReportFailedRun]
    /// Archived WAL segment times that lie inside a recoverable window (each is a point a restore can reach),
    /// any time; sorted.
    public var recoverablePoints: [Date]
    /// WAL gaps (missing segment ranges) with the time span they cost, per timeline.
    public var walGaps: [ReportWALGap]
    public var drills: [DrillEvidence]
    /// Whether the repository's store offers Object Lock at all (S3 bucket with Object Lock enabled).
    public var objectLockAvailable: Bool
    /// When the repository was created (its descriptor's `created`): the period before it — or before the first
    /// complete backup, whichever is earlier — is "not covered", neither exposure nor a missed drill.
    public var repositoryCreated: Date?

    public init(
        cluster: String, repository: String, policy: RetentionPolicy?, since: Date, until: Date, now: Date,
        backups: [ReportBackup], failedRuns: [ReportFailedRun], recoverablePoints: [Date], walGaps: [ReportWALGap],
        drills: [DrillEvidence], objectLockAvailable: Bool, repositoryCreated: Date? = nil
    ) {
        self.cluster = cluster
        self.repository = repository
        self.policy = policy
        self.since = since
        self.until = until
        self.now = now
        self.backups = backups
        self.failedRuns = failedRuns
        self.recoverablePoints = recoverablePoints
        self.walGaps = walGaps
        self.drills = drills
        self.objectLockAvailable = objectLockAvailable
        self.repositoryCreated = repositoryCreated
    }

    /// The backups a restore can start from: all but incrementals whose chain does not authenticate. Recovery
    /// points, retention slots and schedules count these.
    public var restorableBackups: [ReportBackup] { backups.filter { $0.chainBroken == nil } }
}

public struct ReportBackup: Sendable, Equatable, Codable {
    public var id: String
    public var kind: BackupKind
    public var startedAt: Date
    public var finishedAt: Date
    public var storedBytes: Int64
    /// The manifest's encryption algorithm ("aes-256-gcm-stream-v1") and key id.
    public var encryption: String
    public var keyId: String
    /// Objects whose manifest entry the repository listing confirmed, and how many are sealed (`.lbx`).
    public var objects: Int
    public var sealedObjects: Int
    public var objectLockUntil: Date?
    public var storageClass: String?
    public var pinned: Bool
    /// An incremental snapshot (docs/format.md §6.5): a backup of the snapshot type like a full.
    public var incremental: Bool
    /// Why an incremental's chain does not authenticate; such a backup restores nothing and is not counted.
    public var chainBroken: String?
    public init(
        id: String, kind: BackupKind, startedAt: Date, finishedAt: Date, storedBytes: Int64, encryption: String,
        keyId: String,
        objects: Int, sealedObjects: Int, objectLockUntil: Date? = nil, storageClass: String? = nil,
        pinned: Bool = false, incremental: Bool = false, chainBroken: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.storedBytes = storedBytes
        self.encryption = encryption
        self.keyId = keyId
        self.objects = objects
        self.sealedObjects = sealedObjects
        self.objectLockUntil = objectLockUntil
        self.storageClass = storageClass
        self.pinned = pinned
        self.incremental = incremental
        self.chainBroken = chainBroken
    }
}

public struct ReportFailedRun: Sendable, Equatable, Codable {
    public var id: String
    public var kind: BackupKind
    public var startedAt: Date
    /// "leftover in the repository" or "removed by prune <id>".
    public var evidence: String
    public init(id: String, kind: BackupKind, startedAt: Date, evidence: String) {
        self.id = id
        self.kind = kind
        self.startedAt = startedAt
        self.evidence = evidence
    }
}

public struct ReportWALGap: Sendable, Equatable, Codable {
    public var timeline: UInt32
    public var first: String
    public var last: String
    public var segments: UInt64
    /// Archived time of the segment before the gap and of the one after it: no point in between can be restored.
    public var from: Date
    public var to: Date
    public init(timeline: UInt32, first: String, last: String, segments: UInt64, from: Date, to: Date) {
        self.timeline = timeline
        self.first = first
        self.last = last
        self.segments = segments
        self.from = from
        self.to = to
    }
}
