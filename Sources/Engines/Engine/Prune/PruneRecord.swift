// PruneRecord: the sealed journal entry of one prune run, `prune/<cluster>/<id>.lbx` (docs/format.md §9). It is
// written with the plan before anything is changed and rewritten with the outcome at the end; a record left in
// state `planned` is an interrupted run, which the next prune reports and finishes (its plan is recomputed:
// a backup whose manifest was already deleted is then a leftover and expires as one).
import Catalog
import Foundation
import Retention

public struct PruneRecord: Codable, Sendable {
    public static let currentFormatVersion = 1

    public enum State: String, Codable, Sendable {
        /// Written before any change; still `planned` afterwards means the run was interrupted.
        case planned
        case done
        /// An interrupted run whose work a later run finished.
        case superseded
    }

    public var formatVersion: Int
    public var id: String
    public var cluster: String
    public var host: String
    public var startedAt: Date
    public var state: State
    public var plan: RetentionPlan
    public var result: PruneResult?
    /// For `superseded`: the run that finished the work.
    public var supersededBy: String?

    public init(id: String, cluster: String, host: String, startedAt: Date, plan: RetentionPlan) {
        self.formatVersion = Self.currentFormatVersion
        self.id = id
        self.cluster = cluster
        self.host = host
        self.startedAt = startedAt
        self.state = .planned
        self.plan = plan
    }
}

/// What a prune run actually changed.
public struct PruneResult: Codable, Sendable, Equatable {
    public var deletedBackups: [String] = []
    public var deletedObjects: Int = 0
    public var deletedWal: Int = 0
    public var bytesFreed: Int64 = 0
    public var transitioned: [Transition] = []
    /// Deletions the store refused (Object Lock, legal hold): retried by a later prune.
    public var deferred: [Deferred] = []
    public var abortedUploads: Int = 0
    public var finishedAt: Date?

    public init() {}

    public struct Transition: Codable, Sendable, Equatable {
        public var backup: String
        public var storageClass: String
        public var objects: Int
    }

    public struct Deferred: Codable, Sendable, Equatable {
        public var key: String
        public var reason: String
    }
}
