// RetentionPlan: what prune will do, with a reason for every decision. The engine records it in the repository
// before changing anything, then applies it; `prune --dry-run` prints it; `--json` emits it (docs/json.md).
import Catalog
import Foundation

public enum BackupAction: String, Sendable, Equatable, Codable {
    /// Kept where it is.
    case keep
    /// Kept, and its data objects move to `BackupDecision.transitionTo`.
    case transition
    /// Deleted: manifest first, then its objects.
    case expire
}

public struct BackupDecision: Sendable, Equatable, Codable {
    public var id: String
    public var kind: BackupKind
    public var startedAt: Date
    public var complete: Bool
    public var action: BackupAction
    /// Every rule that keeps it ("daily 2026-03-14", "monthly 2026-03", "pinned until 2027-01-01T00:00:00Z",
    /// "newest complete snapshot", "younger than min_age 1d"), or why it goes ("not kept by any rule",
    /// "leftover of a failed or interrupted backup (no manifest)"). Never empty.
    public var reasons: [String]
    /// For `.transition`: the class now and the class it moves to.
    public var storageClass: String?
    public var transitionTo: String?
    /// The earliest time the policy could stop keeping it if backups continue on schedule (for
    /// `verify --immutability`); nil when unknown or indefinite (pinned).
    public var retainedUntil: Date?
    public var storedBytes: Int64
    /// An incremental snapshot's parent (docs/format.md §6.5); absent for a full backup.
    public var parent: String?

    public init(
        id: String, kind: BackupKind, startedAt: Date, complete: Bool, action: BackupAction, reasons: [String],
        storageClass: String? = nil, transitionTo: String? = nil, retainedUntil: Date? = nil, storedBytes: Int64 = 0,
        parent: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.startedAt = startedAt
        self.complete = complete
        self.action = action
        self.reasons = reasons
        self.storageClass = storageClass
        self.transitionTo = transitionTo
        self.retainedUntil = retainedUntil
        self.storedBytes = storedBytes
        self.parent = parent
    }
}

public enum WALAction: String, Sendable, Equatable, Codable {
    case keep
    case expire
}

/// A run of archived WAL files on one timeline that share an action and a reason (names inclusive, in archive
/// order). History files form their own ranges.
public struct WALDecision: Sendable, Equatable, Codable {
    public var timeline: UInt32
    public var first: String
    public var last: String
    public var files: Int
    public var bytes: Int64
    public var action: WALAction
    /// "needed by snapshot 20261101T010000Z-00aa01", "within the PITR window (7d)", "timeline history",
    /// "younger than min_age 1d", "older than the PITR window and needed by no kept snapshot".
    public var reason: String

    public init(
        timeline: UInt32, first: String, last: String, files: Int, bytes: Int64, action: WALAction, reason: String
    ) {
        self.timeline = timeline
        self.first = first
        self.last = last
        self.files = files
        self.bytes = bytes
        self.action = action
        self.reason = reason
    }
}

public struct RetentionPlan: Sendable, Equatable, Codable {
    public var cluster: String
    public var policy: String
    public var now: Date
    /// Every backup of the input, oldest first.
    public var backups: [BackupDecision]
    /// Every archived WAL file covered by exactly one range, in name order per timeline.
    public var wal: [WALDecision]
    /// The WAL files to delete, by name (the union of the `.expire` ranges), sorted.
    public var expiredWAL: [String]

    public init(
        cluster: String, policy: String, now: Date, backups: [BackupDecision], wal: [WALDecision], expiredWAL: [String]
    ) {
        self.cluster = cluster
        self.policy = policy
        self.now = now
        self.backups = backups
        self.wal = wal
        self.expiredWAL = expiredWAL
    }

    /// JSON keys are snake_case (`expired_wal`); the decoder's conversion yields "expiredWal".
    enum CodingKeys: String, CodingKey {
        case cluster, policy, now, backups, wal
        case expiredWAL = "expiredWal"
    }

    public var expiredBackups: [BackupDecision] { backups.filter { $0.action == .expire } }
    public var transitions: [BackupDecision] { backups.filter { $0.action == .transition } }
}
