// DrillEvidence: the record of one drill run, stored sealed in the repository (`drills/<cluster>/<run id>.lbx`,
// docs/format.md §10) and printed by `drill run --json`. It is what an auditor reads: which definition ran
// (by digest), on which backup, what recovery point it reached and how that was measured, every check with its
// outcome, phase timings, the objectives and the verdict.
import Catalog
import Foundation

public struct DrillEvidence: Codable, Sendable, Equatable {
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// Run id, in the form of a backup id (UTC start + random suffix).
    public var id: String
    public var drill: String
    public var definitionPath: String
    public var definitionDigest: String
    public var cluster: String
    public var tool: ToolInfo
    /// T0: the simulated incident time (`--now`, else the drill's start).
    public var incidentAt: Date
    public var startedAt: Date
    public var finishedAt: Date
    /// "scratch cluster on 127.0.0.1:54321" or "scratch database drill_x on db2:5432".
    public var target: String
    public var backup: DrillBackupRecord?
    public var recoveryPoint: RecoveryPointRecord?
    public var checks: [CheckOutcome]
    public var phases: [PhaseTiming]
    /// T0 → checks passed; nil when the drill did not get that far.
    public var rtoSeconds: Double?
    /// T0 − the newest data present in the restored database.
    public var rpoSeconds: Double?
    public var objectives: ObjectivesRecord
    public var cadenceSeconds: Double?
    public var verdict: DrillVerdict
    /// Why the verdict is what it is: failed checks, missed objectives, the error that stopped the drill.
    public var reasons: [String]

    public init(
        id: String, drill: String, definitionPath: String, definitionDigest: String, cluster: String, tool: ToolInfo,
        incidentAt: Date, startedAt: Date, finishedAt: Date, target: String, backup: DrillBackupRecord?,
        recoveryPoint: RecoveryPointRecord?, checks: [CheckOutcome], phases: [PhaseTiming], rtoSeconds: Double?,
        rpoSeconds: Double?, objectives: ObjectivesRecord, cadenceSeconds: Double?, verdict: DrillVerdict,
        reasons: [String]
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.id = id
        self.drill = drill
        self.definitionPath = definitionPath
        self.definitionDigest = definitionDigest
        self.cluster = cluster
        self.tool = tool
        self.incidentAt = incidentAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.target = target
        self.backup = backup
        self.recoveryPoint = recoveryPoint
        self.checks = checks
        self.phases = phases
        self.rtoSeconds = rtoSeconds
        self.rpoSeconds = rpoSeconds
        self.objectives = objectives
        self.cadenceSeconds = cadenceSeconds
        self.verdict = verdict
        self.reasons = reasons
    }
}

public enum DrillVerdict: String, Codable, Sendable, Equatable {
    /// Every check passed and every objective was met (exit 0).
    case passed
    /// A check failed or an objective was missed (exit 3).
    case failed
    /// The drill could not run to the end (exit 1).
    case error
}

public struct DrillBackupRecord: Codable, Sendable, Equatable {
    public var id: String
    public var kind: BackupKind
    public var finishedAt: Date
    /// How it was chosen: "latest", "random within 7d", "named".
    public var selection: String
    /// "full" or "incremental" (docs/format.md §6.5); absent in evidence recorded before incrementals existed.
    public var type: String?
    /// An incremental's chain, the full snapshot first and its parent last: every backup the drill restored
    /// besides `id` itself. Absent for a full.
    public var chain: [String]?

    public init(
        id: String, kind: BackupKind, finishedAt: Date, selection: String, type: String? = nil,
        chain: [String]? = nil
    ) {
        self.id = id
        self.kind = kind
        self.finishedAt = finishedAt
        self.selection = selection
        self.type = type
        self.chain = chain
    }

    /// Backups the restore read: the chain and the backup itself.
    public var chainLength: Int { (chain?.count ?? 0) + 1 }
}

public enum RecoveryPointMethod: String, Codable, Sendable, Equatable {
    /// The newest row of `lifeboat.heartbeat` in the restored database.
    case heartbeat
    /// pg_last_xact_replay_timestamp() of the restored server (snapshot drills).
    case lastReplayedTransaction = "last_replayed_transaction"
    /// The backup's consistency point (logical backups: when pg_dump's snapshot was taken).
    case backupConsistency = "backup_consistency"
}

public struct RecoveryPointRecord: Codable, Sendable, Equatable {
    public var at: Date
    public var method: RecoveryPointMethod
    /// WAL position reached (snapshot drills).
    public var lsn: String?
    public init(at: Date, method: RecoveryPointMethod, lsn: String? = nil) {
        self.at = at
        self.method = method
        self.lsn = lsn
    }
}

public enum CheckKind: String, Codable, Sendable, Equatable {
    case sql
    case amcheck
    case rowCounts = "row_counts"
    case fullRead = "full_read"
}

public struct CheckOutcome: Codable, Sendable, Equatable {
    public var name: String
    public var kind: CheckKind
    public var passed: Bool
    /// What was found: "expected 't', got 'f'", "1,204 indexes checked", "table public.x: 10 rows, backup had 12".
    public var detail: String
    public var seconds: Double
    public init(name: String, kind: CheckKind, passed: Bool, detail: String, seconds: Double) {
        self.name = name
        self.kind = kind
        self.passed = passed
        self.detail = detail
        self.seconds = seconds
    }
}

/// One phase of the recovery: select, rehydrate, restore (fetch + decrypt + unpack + load, streamed together),
/// wal_replay, start, checks.
public struct PhaseTiming: Codable, Sendable, Equatable {
    public var name: String
    public var seconds: Double
    public init(name: String, seconds: Double) {
        self.name = name
        self.seconds = seconds
    }
}

public struct ObjectivesRecord: Codable, Sendable, Equatable {
    public var rpoSeconds: Double?
    public var rtoSeconds: Double?
    /// "drill <name>", "policy <name>" or "none", per objective.
    public var rpoSource: String
    public var rtoSource: String
    public init(rpoSeconds: Double?, rtoSeconds: Double?, rpoSource: String, rtoSource: String) {
        self.rpoSeconds = rpoSeconds
        self.rtoSeconds = rtoSeconds
        self.rpoSource = rpoSource
        self.rtoSource = rtoSource
    }
}
