// ReportBuilder: ReportInput → ComplianceReport. Pure: every instant it reasons about comes from the input
// (`since`, `until`, `now`), so `--now` what-if runs and tests are deterministic. Each section is judged by
// its own check (ScheduleCheck, CoverageCheck, DrillCheck, RetentionCheck, EncryptionCheck,
// ImmutabilityCheck); docs/reports.md states the semantics for auditors.
import Foundation

public enum ReportBuilder {
    public static func build(_ input: ReportInput, toolVersion: String) -> ComplianceReport {
        let period = ReportPeriod(
            since: input.since, until: input.until, now: input.now,
            timeZone: input.policy?.timeZone ?? TimeZone(identifier: "UTC")!,
            historyStart: ReportPeriod.historyStart(input))
        let schedule = ScheduleCheck(input: input, period: period)
        let coverage = CoverageCheck(input: input, period: period)
        let drills = DrillCheck(input: input, period: period)
        let retention = RetentionCheck(input: input, period: period)
        let encryption = EncryptionCheck(input: input, period: period)
        let immutability = ImmutabilityCheck(input: input, period: period)

        let schedules = schedule.assess()
        let covered = coverage.assess()
        let drilled = drills.assess()
        let retained = retention.assess()
        let sealed = encryption.assess()
        let locked = immutability.assess()

        var findings = Findings()
        if input.policy == nil {
            findings.notes.append("no policy configured: objectives, schedule and retention not judged")
        }
        findings.append(schedule.findings(schedules))
        findings.append(coverage.findings(covered))
        findings.append(drills.findings())
        findings.append(retention.findings(retained))
        findings.append(encryption.findings(sealed))
        findings.append(immutability.findings(locked))
        let table = ObjectiveTable(input: input, period: period)
        let verdicts = table.verdicts(
            schedule: schedules, coverage: covered, drills: drilled, retention: retained,
            encryption: sealed, immutability: locked)
        findings.notes = table.notes(verdicts) + findings.notes
        let status = OverallVerdict.combine(verdicts.map(\.status))

        let objectives = input.policy?.objectives
        return ComplianceReport(
            cluster: input.cluster, repository: input.repository, policy: input.policy?.name,
            since: input.since, until: input.until, generatedAt: input.now, toolVersion: toolVersion,
            historyStart: period.historyStart, coveredFrom: period.coveredFrom,
            objectives: ReportObjectives(
                rpoSeconds: objectives?.rpo, rtoSeconds: objectives?.rto, drillEverySeconds: objectives?.drillEvery),
            schedule: schedules, coverage: covered, drills: drilled, retention: retained, encryption: sealed,
            immutability: locked,
            verdict: ReportVerdict(
                status: status, compliant: status == .compliant, objectives: verdicts,
                reasons: findings.failures + findings.notes))
    }
}
