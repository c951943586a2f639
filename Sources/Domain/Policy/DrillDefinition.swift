// DrillDefinition: one drill file from drills/ (drills/README.md documents the YAML): what to restore, where,
// which checks prove the restored data, the objectives it is measured against and how often it must run.
// Only the model lives here: Configuration's DrillLoader reads the file.
import Foundation

public struct DrillDefinition: Sendable, Equatable {
    /// `name:`; required (evidence and `drill due` group runs by it).
    public var name: String
    /// Absolute path of the file, for messages.
    public var sourcePath: String
    /// SHA-256 (hex) of the file's bytes, recorded in the evidence so a result names the exact definition.
    public var digest: String
    /// The cluster to drill; nil = the configuration's `cluster`.
    public var cluster: String?
    public var restore: DrillRestore
    public var target: DrillTarget
    /// Objectives; a nil field falls back to the policy's objectives.
    public var objectives: DrillObjectives
    public var checks: DrillChecks
    /// Longest allowed time between two runs of this drill (`cadence: 182d`); nil = no cadence.
    public var cadence: TimeInterval?
    /// Keep the scratch server or database afterwards (default false; `--keep` overrides).
    public var keep: Bool
    /// Write a heartbeat row into the source before restoring, when the source is reachable (opt-in).
    public var heartbeat: Bool

    public init(
        name: String, sourcePath: String, digest: String, cluster: String? = nil, restore: DrillRestore,
        target: DrillTarget = .scratchCluster, objectives: DrillObjectives = DrillObjectives(),
        checks: DrillChecks = DrillChecks(), cadence: TimeInterval? = nil, keep: Bool = false, heartbeat: Bool = false
    ) {
        self.name = name
        self.sourcePath = sourcePath
        self.digest = digest
        self.cluster = cluster
        self.restore = restore
        self.target = target
        self.objectives = objectives
        self.checks = checks
        self.cadence = cadence
        self.keep = keep
        self.heartbeat = heartbeat
    }
}

public enum DrillRestoreKind: String, Sendable, Equatable, CaseIterable, Codable {
    /// A logical backup restored into a scratch database.
    case logical
    /// A snapshot restored into a scratch cluster, WAL replayed to `toTime` or the newest archived WAL.
    case snapshot
}

/// Which backup the drill restores.
public enum DrillBackupChoice: Sendable, Equatable {
    case latest
    /// A random complete backup of the kind that started within this long before the drill.
    case randomWithin(TimeInterval)
    case id(String)
}

public struct DrillRestore: Sendable, Equatable {
    public var kind: DrillRestoreKind
    public var backup: DrillBackupChoice
    /// Logical: the database of the backup to restore (needed when it holds several).
    public var database: String?
    /// Snapshot: recover to this time; nil = to the newest archived WAL.
    public var toTime: Date?
    public init(
        kind: DrillRestoreKind, backup: DrillBackupChoice = .latest, database: String? = nil, toTime: Date? = nil
    ) {
        self.kind = kind
        self.backup = backup
        self.database = database
        self.toTime = toTime
    }
}

public enum DrillTarget: Sendable, Equatable {
    /// A scratch PostgreSQL cluster Lifeboat initialises (logical) or restores (snapshot) in a temporary
    /// directory and starts on a free loopback port, as `postgres.os_user` when run as root.
    case scratchCluster
    /// A scratch database created on an existing server (logical drills only); dropped afterwards.
    case existingServer(url: String)
}

public struct DrillObjectives: Sendable, Equatable {
    public var rpo: TimeInterval?
    public var rto: TimeInterval?
    public init(rpo: TimeInterval? = nil, rto: TimeInterval? = nil) {
        self.rpo = rpo
        self.rto = rto
    }
}

public struct DrillChecks: Sendable, Equatable {
    public var sql: [SQLCheck]
    /// bt_index_check on every btree index of every restored database.
    public var amcheck: Bool
    /// Row counts compared with those recorded at backup time (logical backups record them).
    public var rowCounts: Bool
    /// Every row of every table read (and detoasted).
    public var fullRead: Bool
    public init(sql: [SQLCheck] = [], amcheck: Bool = false, rowCounts: Bool = false, fullRead: Bool = false) {
        self.sql = sql
        self.amcheck = amcheck
        self.rowCounts = rowCounts
        self.fullRead = fullRead
    }
}

/// A SQL assertion: the first column of the first row of `query`, as text, must equal `expect`.
public struct SQLCheck: Sendable, Equatable {
    public var name: String
    /// Database of the restored cluster to run it in; nil = the restored database (logical) or `postgres`.
    public var database: String?
    public var query: String
    public var expect: String
    public init(name: String, database: String? = nil, query: String, expect: String) {
        self.name = name
        self.database = database
        self.query = query
        self.expect = expect
    }
}
