// ComplianceReport: the answers an auditor asks for, per cluster and period, with a verdict and its reasons.
// `lifeboat report --format json` prints it (docs/json.md); Markdown and HTML render the same numbers.
import Catalog
import Drills
import Foundation

public struct ComplianceReport: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var cluster: String
    public var repository: String
    public var policy: String?
    public var since: Date
    public var until: Date
    public var generatedAt: Date
    public var toolVersion: String
    /// The earlier of the repository's creation and its first complete backup; nil without either.
    public var historyStart: Date?
    /// `max(since, history_start)`: the period before it is not covered (the repository did not exist).
    public var coveredFrom: Date
    public var objectives: ReportObjectives
    public var schedule: [ScheduleCompliance]
    public var coverage: CoverageCompliance
    public var drills: DrillCompliance
    public var retention: RetentionCompliance
    public var encryption: EncryptionCompliance
    public var immutability: ImmutabilityCompliance
    public var verdict: ReportVerdict

    public init(
        cluster: String, repository: String, policy: String?, since: Date, until: Date, generatedAt: Date,
        toolVersion: String,
        historyStart: Date?, coveredFrom: Date, objectives: ReportObjectives, schedule: [ScheduleCompliance],
        coverage: CoverageCompliance, drills: DrillCompliance,
        retention: RetentionCompliance, encryption: EncryptionCompliance, immutability: ImmutabilityCompliance,
        verdict: ReportVerdict
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.cluster = cluster
        self.repository = repository
        self.policy = policy
        self.since = since
        self.until = until
        self.generatedAt = generatedAt
        self.toolVersion = toolVersion
        self.historyStart = historyStart
        self.coveredFrom = coveredFrom
        self.objectives = objectives
        self.schedule = schedule
        self.coverage = coverage
        self.drills = drills
        self.retention = retention
        self.encryption = encryption
        self.immutability = immutability
        self.verdict = verdict
    }
}

public struct ReportObjectives: Codable, Sendable, Equatable {
    public var rpoSeconds: Double?
    public var rtoSeconds: Double?
    public var drillEverySeconds: Double?
    public init(rpoSeconds: Double?, rtoSeconds: Double?, drillEverySeconds: Double?) {
        self.rpoSeconds = rpoSeconds
        self.rtoSeconds = rtoSeconds
        self.drillEverySeconds = drillEverySeconds
    }
}

/// Per backup type the policy schedules daily (a `daily` keep rule): days of the period with a complete backup.
public struct ScheduleCompliance: Codable, Sendable, Equatable {
    public var kind: BackupKind
    /// Calendar days of the period (policy time zone), "2026-03-14".
    public var expectedDays: Int
    public var daysWithBackup: Int
    public var missedDays: [String]
    public var completedRuns: Int
    /// Of the completed runs, incremental snapshots (docs/format.md §6.5): they count like fulls.
    public var incrementalRuns: Int
    /// Incrementals of the period whose chain does not authenticate: they restore nothing, so their days count
    /// only if another backup covers them.
    public var unrestorable: [String]
    public var failedRuns: Int
    /// completed / (completed + failed); nil without runs.
    public var successRate: Double?
    /// Per day of the period: complete backups that day (for the calendar heat map).
    public var perDay: [DayCount]
    public var met: Bool
}

public struct DayCount: Codable, Sendable, Equatable {
    public var day: String
    public var backups: Int
    public var failed: Int
}

public struct CoverageCompliance: Codable, Sendable, Equatable {
    /// The largest time between consecutive recovery points in the period (from `since`, or the first point,
    /// to `until`): the most data a disaster at the worst moment would have lost.
    public var worstExposureSeconds: Double?
    public var worstExposureFrom: Date?
    public var worstExposureTo: Date?
    /// Every stretch longer than the RPO objective.
    public var exposuresOverObjective: [ExposureSpan]
    public var walGaps: [ReportWALGap]
    /// Recovery points in the period (for the exposure timeline).
    public var points: Int
    /// Not violated within the covered period (see `verdict.objectives` for insufficient history).
    public var met: Bool
}

public struct ExposureSpan: Codable, Sendable, Equatable {
    public var from: Date
    public var to: Date
    public var seconds: Double
}

public struct DrillCompliance: Codable, Sendable, Equatable {
    public var runs: [DrillRunSummary]
    public var passed: Int
    public var failed: Int
    /// Cadence: the newest passed drill is at most `drill_every` old at the end of the period, and no stretch of
    /// the covered period longer than `drill_every` went without a passed drill (a new repository has one
    /// `drill_every` for its first). nil when not judged: no `drill_every`, or insufficient history.
    public var lastPassed: Date?
    public var cadenceMet: Bool?
    public var met: Bool
}

public struct DrillRunSummary: Codable, Sendable, Equatable {
    public var id: String
    public var drill: String
    public var at: Date
    public var backup: String?
    public var rtoSeconds: Double?
    public var rpoSeconds: Double?
    public var rtoObjectiveSeconds: Double?
    public var rpoObjectiveSeconds: Double?
    public var rpoMethod: String?
    public var verdict: DrillVerdict
    public var reasons: [String]
}

public struct RetentionCompliance: Codable, Sendable, Equatable {
    /// One line per required calendar slot: "daily 2026-03-14 (snapshot)" present or missing.
    public var required: [RequiredBackup]
    public var missing: Int
    public var met: Bool
}

public struct RequiredBackup: Codable, Sendable, Equatable {
    public var rule: String
    public var kind: BackupKind
    public var bucket: String
    public var backup: String?
}

public struct EncryptionCompliance: Codable, Sendable, Equatable {
    public var backups: Int
    public var objects: Int
    public var sealedObjects: Int
    public var algorithms: [String]
    public var keyIds: [String]
    public var met: Bool
}

public struct ImmutabilityCompliance: Codable, Sendable, Equatable {
    /// Whether the policy asks for Object Lock.
    public var required: Bool
    public var available: Bool
    public var lockedBackups: Int
    public var backups: Int
    public var mode: String?
    public var met: Bool
}

public struct ReportVerdict: Codable, Sendable, Equatable {
    /// compliant, not_compliant or insufficient_history (docs/reports.md).
    public var status: OverallVerdict
    /// `status == .compliant`, kept for readers of format version 1.
    public var compliant: Bool
    /// One verdict per objective, in the order of the report's first screen.
    public var objectives: [ObjectiveVerdict]
    /// Every finding that makes it non-compliant, then notes.
    public var reasons: [String]
}
