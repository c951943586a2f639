// RetentionPolicy: one policy file from policies/ (policies/README.md documents the YAML): how long backups
// and WAL are kept, when data objects move to colder storage classes, how long Object Lock protects uploads,
// and the objectives (RPO, RTO, drill cadence) that status, drills and reports measure against.
// Durations are seconds; calendar rules (daily, monthly …) are counted in `timeZone`.
// Only the model lives here: Configuration's PolicyLoader reads the file, so the planners never see YAML.
import Foundation

public struct RetentionPolicy: Sendable, Equatable {
    /// `name:` in the file, else the file name without extension.
    public var name: String
    /// Absolute path of the file, for messages.
    public var sourcePath: String
    /// IANA zone the calendar buckets are cut in (`timezone: Europe/Berlin`); UTC when absent.
    public var timeZone: TimeZone
    public var objectives: Objectives
    public var safety: SafetyRules
    /// Keep rules per backup type. A type without rules keeps every backup of that type.
    public var keep: [BackupTypeSetting: KeepRules]
    public var wal: WALRetention
    /// Storage-class transitions for data objects of kept backups (metadata stays in the hot class).
    public var tiering: [TieringRule]
    /// Object Lock applied to uploads when the bucket has Object Lock enabled; nil = none.
    public var immutability: Immutability?

    public init(
        name: String, sourcePath: String, timeZone: TimeZone = TimeZone(identifier: "UTC")!,
        objectives: Objectives = Objectives(), safety: SafetyRules = SafetyRules(),
        keep: [BackupTypeSetting: KeepRules] = [:], wal: WALRetention = WALRetention(),
        tiering: [TieringRule] = [], immutability: Immutability? = nil
    ) {
        self.name = name
        self.sourcePath = sourcePath
        self.timeZone = timeZone
        self.objectives = objectives
        self.safety = safety
        self.keep = keep
        self.wal = wal
        self.tiering = tiering
        self.immutability = immutability
    }
}

public struct Objectives: Sendable, Equatable {
    /// Recovery point objective, seconds (`rpo: 15m`).
    public var rpo: TimeInterval?
    /// Recovery time objective, seconds (`rto: 60m`).
    public var rto: TimeInterval?
    /// Longest allowed time between DR drills, seconds (`drill_every: 182d`).
    public var drillEvery: TimeInterval?
    public init(rpo: TimeInterval? = nil, rto: TimeInterval? = nil, drillEvery: TimeInterval? = nil) {
        self.rpo = rpo
        self.rto = rto
        self.drillEvery = drillEvery
    }
}

/// Rules no keep rule can override.
public struct SafetyRules: Sendable, Equatable {
    /// Nothing younger than this is deleted (backups by start time, WAL by archive time). Default 1 day.
    public var minAge: TimeInterval
    /// The newest N complete backups of each type are always kept. At least 1 (the newest complete backup is
    /// never removed: README "What you can rely on", Prune is safe). Default 1.
    public var minComplete: Int
    public init(minAge: TimeInterval = 86_400, minComplete: Int = 1) {
        self.minAge = minAge
        self.minComplete = minComplete
    }
}

/// Grandfather-father-son keep rules for one backup type (restic/borg semantics): `last` keeps the newest N;
/// each calendar rule keeps the newest backup in each of the N most recent calendar periods that have one;
/// `within` keeps everything started less than that long ago. A backup is kept if any rule keeps it.
public struct KeepRules: Sendable, Equatable {
    public var last: Int?
    public var hourly: Int?
    public var daily: Int?
    /// ISO 8601 weeks (Monday first, week-numbering year).
    public var weekly: Int?
    public var monthly: Int?
    public var yearly: Int?
    public var within: TimeInterval?
    public init(
        last: Int? = nil, hourly: Int? = nil, daily: Int? = nil, weekly: Int? = nil, monthly: Int? = nil,
        yearly: Int? = nil, within: TimeInterval? = nil
    ) {
        self.last = last
        self.hourly = hourly
        self.daily = daily
        self.weekly = weekly
        self.monthly = monthly
        self.yearly = yearly
        self.within = within
    }
}

/// The calendar periods of the GFS rules.
public enum CalendarPeriod: String, Sendable, Equatable, CaseIterable, Codable {
    case hourly, daily, weekly, monthly, yearly
}

public struct WALRetention: Sendable, Equatable {
    /// Point-in-time recovery is possible to any moment in the last `pitrWindow` (all WAL from the newest
    /// kept snapshot that finished before the window starts is kept). Older kept snapshots keep only the WAL
    /// they need for consistency. nil = WAL is kept from the oldest kept snapshot on.
    public var pitrWindow: TimeInterval?
    public init(pitrWindow: TimeInterval? = nil) {
        self.pitrWindow = pitrWindow
    }
}

/// Move the data objects of a kept backup to `storageClass` once it is `after` old (by start time). When
/// `keptBy` is set, only backups kept by one of those calendar rules (e.g. monthly) move. When several rules
/// apply, the coldest class wins; objects never move to a warmer class.
public struct TieringRule: Sendable, Equatable {
    public var after: TimeInterval
    public var storageClass: String
    public var keptBy: [CalendarPeriod]?
    /// Backup types the rule applies to; nil = all.
    public var types: [BackupTypeSetting]?
    public init(
        after: TimeInterval, storageClass: String, keptBy: [CalendarPeriod]? = nil, types: [BackupTypeSetting]? = nil
    ) {
        self.after = after
        self.storageClass = storageClass
        self.keptBy = keptBy
        self.types = types
    }
}

public enum ObjectLockMode: String, Sendable, Equatable, CaseIterable, Codable {
    case governance = "GOVERNANCE"
    case compliance = "COMPLIANCE"
}

/// S3 Object Lock for every object Lifeboat uploads: retained until upload time + `days`.
public struct Immutability: Sendable, Equatable {
    public var mode: ObjectLockMode
    public var days: Int
    public init(mode: ObjectLockMode, days: Int) {
        self.mode = mode
        self.days = days
    }
}
