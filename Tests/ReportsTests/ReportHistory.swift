// ReportHistory: a constructed two-month history of a production-like cluster for the report tests — daily
// snapshots with missed days and failed runs, recovery points every 5 minutes with two WAL gaps, drills that
// passed and failed — and a compliant variant of the same history.
import Catalog
import Drills
import Foundation
import Policy
import Reports

struct ReportHistory {
    /// What makes the history non-compliant; `clean` turns every flaw off.
    var missedDays: Set<String> = ["2026-03-04", "2026-03-17", "2026-04-27"]
    var failedRunDays: [String] = ["2026-03-04", "2026-03-20", "2026-04-27"]
    var walGaps: [(from: Date, to: Date)] = [
        (at("2026-03-10T02:00:00Z"), at("2026-03-10T04:00:00Z")),
        (at("2026-04-12T10:00:00Z"), at("2026-04-12T10:30:00Z")),
    ]
    var unsealedBackupDay: String? = "2026-04-02"
    var logicalLocked = false
    var drills: [DrillEvidence] = [
        drill("semiannual-full", "20251201T030000Z-d00000", at("2025-12-01T03:00:00Z"), .passed),
        drill(
            "weekly-logical", "20260312T030000Z-d10000", at("2026-03-12T03:00:00Z"), .failed,
            reasons: ["check 'orders' failed: expected 't', got 'f'"]),
        drill("weekly-logical", "20260319T030000Z-d20000", at("2026-03-19T03:00:00Z"), .passed),
        drill(
            "semiannual-full", "20260420T030000Z-d30000", at("2026-04-20T03:00:00Z"), .error,
            reasons: ["restore failed: connection refused"]),
    ]
    var policy: RetentionPolicy? = Self.productionPolicy

    static var clean: ReportHistory {
        var history = ReportHistory()
        history.missedDays = []
        history.failedRunDays = []
        history.walGaps = []
        history.unsealedBackupDay = nil
        history.logicalLocked = true
        history.drills = [
            history.drills[0], history.drills[2],
            drill("semiannual-full", "20260420T030000Z-d30000", at("2026-04-20T03:00:00Z"), .passed),
        ]
        return history
    }

    static let productionPolicy = RetentionPolicy(
        name: "production", sourcePath: "/etc/lifeboat/policies/production.yaml",
        timeZone: TimeZone(identifier: "Europe/Berlin")!,
        objectives: Objectives(rpo: 15 * 60, rto: 60 * 60, drillEvery: 182 * 86_400),
        keep: [.snapshot: KeepRules(daily: 7, monthly: 12)],
        immutability: Immutability(mode: .governance, days: 30))

    /// March and April 2026 in Berlin (the period crosses the DST change of 29 March).
    static let since = at("2026-02-28T23:00:00Z")
    static let until = at("2026-04-30T22:00:00Z")
    static let now = at("2026-05-01T08:00:00Z")

    func input() -> ReportInput {
        ReportInput(
            cluster: "main", repository: "s3://backups/lifeboat", policy: policy, since: Self.since, until: Self.until,
            now: Self.now, backups: backups(), failedRuns: failedRuns(), recoverablePoints: points(),
            walGaps: reportGaps(), drills: drills, objectLockAvailable: true)
    }

    /// Snapshots daily at 01:00 UTC from 15 January (so monthly slots reach back to January), a logical backup
    /// on 15 March. The key rotates on 1 April.
    func backups() -> [ReportBackup] {
        var backups: [ReportBackup] = []
        var day = Self.at("2026-01-15T01:00:00Z")
        while day < Self.until {
            let label = Self.label(day)
            if !missedDays.contains(label) {
                let sealed = label == unsealedBackupDay ? 4 : 5
                backups.append(
                    ReportBackup(
                        id: "\(label.replacingOccurrences(of: "-", with: ""))T010000Z-snap", kind: .snapshot,
                        startedAt: day,
                        finishedAt: day.addingTimeInterval(30 * 60), storedBytes: 1 << 30,
                        encryption: "aes-256-gcm-stream-v1",
                        keyId: day < Self.at("2026-04-01T00:00:00Z") ? "key-a" : "key-b", objects: 5,
                        sealedObjects: sealed,
                        objectLockUntil: day.addingTimeInterval(30 * 86_400)))
            }
            day = day.addingTimeInterval(86_400)
        }
        let logical = Self.at("2026-03-15T12:00:00Z")
        backups.append(
            ReportBackup(
                id: "20260315T120000Z-logi", kind: .logical, startedAt: logical,
                finishedAt: logical.addingTimeInterval(600), storedBytes: 1 << 20,
                encryption: "aes-256-gcm-stream-v1", keyId: "key-a", objects: 3, sealedObjects: 3,
                objectLockUntil: logicalLocked ? logical.addingTimeInterval(30 * 86_400) : nil))
        return backups
    }

    func failedRuns() -> [ReportFailedRun] {
        failedRunDays.map { label in
            ReportFailedRun(
                id: "\(label.replacingOccurrences(of: "-", with: ""))T003000Z-fail", kind: .snapshot,
                startedAt: Self.at("\(label)T00:30:00Z"), evidence: "leftover in the repository")
        }
    }

    /// Every 5 minutes from a day before the period to its end, except strictly inside a WAL gap.
    func points() -> [Date] {
        var points: [Date] = []
        var time = Self.since.addingTimeInterval(-86_400)
        while time < Self.until {
            if !walGaps.contains(where: { time > $0.from && time < $0.to }) { points.append(time) }
            time = time.addingTimeInterval(300)
        }
        return points
    }

    /// The history's gaps plus one long before the period, which the report must leave out.
    func reportGaps() -> [ReportWALGap] {
        let old = ReportWALGap(
            timeline: 1, first: "000000010000000000000002", last: "000000010000000000000003", segments: 2,
            from: Self.at("2026-02-01T00:00:00Z"), to: Self.at("2026-02-01T01:00:00Z"))
        return [old]
            + walGaps.enumerated().map { index, gap in
                ReportWALGap(
                    timeline: 1, first: "0000000100000000000000\(index)A", last: "0000000100000000000000\(index)F",
                    segments: 6, from: gap.from, to: gap.to)
            }
    }

    static func drill(_ name: String, _ id: String, _ start: Date, _ verdict: DrillVerdict, reasons: [String] = [])
        -> DrillEvidence
    {
        DrillEvidence(
            id: id, drill: name, definitionPath: "/etc/lifeboat/drills/\(name).yaml", definitionDigest: "sha256:00",
            cluster: "main", tool: ToolInfo(name: "lifeboat", version: "0.9.0", host: "dr-host"), incidentAt: start,
            startedAt: start, finishedAt: start.addingTimeInterval(2400), target: "scratch cluster on 127.0.0.1:54321",
            backup: DrillBackupRecord(
                id: "b-\(id)", kind: .snapshot, finishedAt: start.addingTimeInterval(-3600), selection: "latest"),
            recoveryPoint: RecoveryPointRecord(at: start.addingTimeInterval(-240), method: .heartbeat),
            checks: [], phases: [], rtoSeconds: verdict == .error ? nil : 2400,
            rpoSeconds: verdict == .error ? nil : 240,
            objectives: ObjectivesRecord(
                rpoSeconds: 900, rtoSeconds: 3600, rpoSource: "policy production", rtoSource: "policy production"),
            cadenceSeconds: 182 * 86_400, verdict: verdict, reasons: reasons)
    }

    static func at(_ text: String) -> Date {
        CatalogCoding.parseTimestamp(text)!
    }

    /// The Berlin calendar day of a backup at 01:00 UTC is its UTC day (02:00/03:00 local).
    static func label(_ date: Date) -> String {
        String(CatalogCoding.formatTimestamp(date).prefix(10))
    }
}
