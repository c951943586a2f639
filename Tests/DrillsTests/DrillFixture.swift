// Shared fixtures for the drill logic tests: manifests and evidence with only the fields the rules read.
import Catalog
import Foundation
import Policy

@testable import Drills

enum DrillFixture {
    /// 2026-11-21T02:14:00Z, the simulated incident of most tests.
    static let t0 = Date(timeIntervalSince1970: 1_795_227_240)
    static let hour: TimeInterval = 3600
    static let day: TimeInterval = 86_400

    static func manifest(
        startedAt: Date, duration: TimeInterval = 600, kind: BackupKind = .logical,
        cluster: String = "main", suffix: UInt32 = 0xabc
    ) -> BackupManifest {
        BackupManifest(
            id: BackupID.generate(at: startedAt, suffix: suffix), cluster: cluster, kind: kind, label: nil,
            startedAt: startedAt, finishedAt: startedAt.addingTimeInterval(duration), pinned: false, keepUntil: nil,
            tool: ToolInfo(name: "lifeboat", version: "0.6.0", host: "db1"),
            server: ServerInfo(
                version: "16.4", versionNumber: 160_004, systemIdentifier: nil, timeline: nil,
                startLsn: "0/3000028", stopLsn: nil),
            compression: CompressionInfo(algorithm: "zstd", level: 3),
            encryption: EncryptionInfo(algorithm: "aes-256-gcm", keyId: "k1"),
            objects: [], databases: [], globals: nil)
    }

    static func evidence(
        drill: String = "nightly-smoke", startedAt: Date = t0, verdict: DrillVerdict = .passed,
        cadence: Double? = nil, checks: [CheckOutcome] = [], rto: Double? = 62, rpo: Double? = 5,
        reasons: [String] = []
    ) -> DrillEvidence {
        DrillEvidence(
            id: BackupID.generate(at: startedAt, suffix: 0x0a0b0c).rawValue, drill: drill,
            definitionPath: "/etc/lifeboat/drills/\(drill).yml", definitionDigest: String(repeating: "ab", count: 32),
            cluster: "main", tool: ToolInfo(name: "lifeboat", version: "0.6.0", host: "drill1"),
            incidentAt: startedAt, startedAt: startedAt, finishedAt: startedAt.addingTimeInterval(70),
            target: "scratch cluster on 127.0.0.1:54321",
            backup: DrillBackupRecord(
                id: "20261121T010000Z-3f9a2c", kind: .logical,
                finishedAt: Date(timeIntervalSince1970: 1_795_223_400), selection: "latest"),
            recoveryPoint: RecoveryPointRecord(at: startedAt.addingTimeInterval(-5), method: .heartbeat),
            checks: checks,
            phases: [
                PhaseTiming(name: "select", seconds: 0.2), PhaseTiming(name: "restore", seconds: 41.53),
                PhaseTiming(name: "start", seconds: 1), PhaseTiming(name: "checks", seconds: 2.34),
            ],
            rtoSeconds: rto, rpoSeconds: rpo,
            objectives: ObjectivesRecord(
                rpoSeconds: 900, rtoSeconds: 900, rpoSource: "policy production",
                rtoSource: "drill \(drill)"),
            cadenceSeconds: cadence, verdict: verdict, reasons: reasons)
    }

    static func definition(
        _ name: String, cadence: TimeInterval? = nil, objectives: DrillObjectives = DrillObjectives()
    ) -> DrillDefinition {
        DrillDefinition(
            name: name, sourcePath: "/etc/lifeboat/drills/\(name).yml", digest: "d",
            restore: DrillRestore(kind: .logical), objectives: objectives, cadence: cadence)
    }
}
