// ObjectiveVerdicts: the first thing an auditor reads — one verdict per objective (RPO, RTO, drill cadence,
// backup schedule, retention, encryption, immutability) with its evidence, and the overall verdict. An
// objective is `not_met` when it was violated within the covered period, `insufficient_history` when the
// repository has not existed long enough to judge it (docs/reports.md defines each), `not_judged` without an
// objective to judge against. Overall: not compliant if any objective is not met, else insufficient history
// if any cannot be judged yet, else compliant.
import Foundation

public enum ObjectiveStatus: String, Codable, Sendable, Equatable {
    case met
    case notMet = "not_met"
    case insufficientHistory = "insufficient_history"
    case notJudged = "not_judged"
}

public enum OverallVerdict: String, Codable, Sendable, Equatable {
    case compliant
    case notCompliant = "not_compliant"
    case insufficientHistory = "insufficient_history"

    static func combine(_ statuses: [ObjectiveStatus]) -> OverallVerdict {
        if statuses.contains(.notMet) { return .notCompliant }
        if statuses.contains(.insufficientHistory) { return .insufficientHistory }
        return .compliant
    }
}

public struct ObjectiveVerdict: Codable, Sendable, Equatable {
    /// "rpo", "rto", "drill_cadence", "schedule", "retention", "encryption", "immutability".
    public var objective: String
    /// The target in words: "1h", "daily snapshot", "aes-256-gcm".
    public var target: String
    public var status: ObjectiveStatus
    /// What the verdict rests on: "312 recovery points", "2 drill runs (1 passed)".
    public var evidence: String
    /// The worst stretch, the last drill, the missing slots: the one fact that decides.
    public var detail: String
}

/// Builds the per-objective table from the sections the checks assessed.
struct ObjectiveTable {
    let input: ReportInput
    let period: ReportPeriod

    func verdicts(
        schedule: [ScheduleCompliance], coverage: CoverageCompliance, drills: DrillCompliance,
        retention: RetentionCompliance, encryption: EncryptionCompliance,
        immutability: ImmutabilityCompliance
    ) -> [ObjectiveVerdict] {
        let objectives = input.policy?.objectives
        let drillCheck = DrillCheck(input: input, period: period)
        var rows = [rpo(coverage, objectives?.rpo)]
        rows.append(
            ObjectiveVerdict(
                objective: "rto", target: ReportSummaries.objective(objectives?.rto),
                status: drillCheck.recoveryStatus(),
                evidence: "\(ReportText.count(drills.runs.count, "drill run")) (\(drills.passed) passed)",
                detail: worstRTO(drills)))
        rows.append(
            ObjectiveVerdict(
                objective: "drill_cadence",
                target: objectives?.drillEvery.map { "every " + ReportText.duration($0) } ?? "not set",
                status: drillCheck.cadenceStatus(),
                evidence: ReportText.count(drills.passed, "passed drill") + " in the period",
                detail: "last passed " + (drills.lastPassed.map(ReportText.time) ?? "never")))
        rows += schedule.map { s in
            ObjectiveVerdict(
                objective: "schedule", target: "daily \(s.kind.rawValue)", status: ScheduleCheck.status(s),
                evidence: "\(s.daysWithBackup) of \(s.expectedDays) judged days",
                detail: s.missedDays.isEmpty ? "no day missed" : "missed " + ReportText.list(s.missedDays, limit: 3))
        }
        rows.append(retentionRow(retention))
        rows.append(
            ObjectiveVerdict(
                objective: "encryption", target: "aes-256-gcm",
                status: !encryption.met ? .notMet : encryption.backups == 0 ? .insufficientHistory : .met,
                evidence: "\(encryption.sealedObjects) of \(encryption.objects) objects sealed",
                detail: encryption.keyIds.isEmpty
                    ? "no backup in the period" : "key ids " + encryption.keyIds.joined(separator: ", ")))
        rows.append(immutabilityRow(immutability))
        return rows
    }

    private func rpo(_ coverage: CoverageCompliance, _ objective: Double?) -> ObjectiveVerdict {
        let status = CoverageCheck(input: input, period: period).status(
            worst: coverage.worstExposureSeconds, points: coverage.points)
        var detail = "worst " + ReportSummaries.optionalDuration(coverage.worstExposureSeconds)
        if let from = coverage.worstExposureFrom, let to = coverage.worstExposureTo {
            detail += " (\(ReportText.time(from)) – \(ReportText.time(to)))"
        }
        if status == .insufficientHistory {
            detail = "covered " + ReportText.duration(max(period.coveredSeconds, 0)) + " of the period; " + detail
        }
        return ObjectiveVerdict(
            objective: "rpo", target: ReportSummaries.objective(objective), status: status,
            evidence: ReportText.count(coverage.points, "recovery point"), detail: detail)
    }

    /// The newest run's RTO decides (a later passed run makes an older failure good); the worst is shown too.
    private func worstRTO(_ drills: DrillCompliance) -> String {
        guard let newest = drills.runs.last(where: { $0.rtoSeconds != nil }), let rto = newest.rtoSeconds else {
            return "last passed drill " + (drills.lastPassed.map(ReportText.time) ?? "never")
        }
        var text = "newest RTO \(ReportText.duration(rto)) (\(ReportText.date(newest.at)))"
        if let worst = drills.runs.compactMap(\.rtoSeconds).max(), worst > rto {
            text += "; worst \(ReportText.duration(worst))"
        }
        return text
    }

    private func retentionRow(_ retention: RetentionCompliance) -> ObjectiveVerdict {
        let rules = input.policy.map { policy in policy.keep.values.flatMap(RetentionCheck.calendarRules) } ?? []
        let status: ObjectiveStatus =
            rules.isEmpty
            ? .notJudged
            : !retention.met ? .notMet : retention.required.isEmpty ? .insufficientHistory : .met
        return ObjectiveVerdict(
            objective: "retention", target: rules.isEmpty ? "no calendar rule" : "calendar keep rules", status: status,
            evidence: "\(retention.required.count - retention.missing) of \(retention.required.count) required slots",
            detail: retention.missing == 0 ? "no slot empty" : ReportText.count(retention.missing, "empty slot"))
    }

    private func immutabilityRow(_ i: ImmutabilityCompliance) -> ObjectiveVerdict {
        let status: ObjectiveStatus =
            !i.required ? .notJudged : !i.met ? .notMet : i.backups == 0 ? .insufficientHistory : .met
        return ObjectiveVerdict(
            objective: "immutability",
            target: i.required ? "Object Lock" + (i.mode.map { " (\($0))" } ?? "") : "not required",
            status: status, evidence: "\(i.lockedBackups) of \(i.backups) backups locked",
            detail: i.available ? "Object Lock available" : "Object Lock not available")
    }
}

extension ObjectiveTable {
    /// Notes that say what could not be judged and why, so "insufficient history" is never a bare word.
    func notes(_ verdicts: [ObjectiveVerdict]) -> [String] {
        var notes: [String] = []
        if period.hasUncoveredStart {
            let start =
                period.historyStart.map { "the repository's history begins \(ReportText.time($0))" }
                ?? "the repository has no history"
            notes.append(
                "not covered: \(ReportText.time(period.since)) – \(ReportText.time(period.coveredFrom)), before the "
                    + "repository existed (\(start)); not counted as exposure or as a missed drill")
        }
        for verdict in verdicts where verdict.status == .insufficientHistory {
            notes.append(
                "\(ReportSummaries.objectiveName(verdict.objective)) \(verdict.target): insufficient history to judge "
                    + "(\(verdict.evidence); \(verdict.detail))")
        }
        return notes
    }
}
