// FleetReportBuilder: the inputs of every cluster → FleetReport. Pure, like ReportBuilder (which builds each
// cluster's report): the period, the clock and the policy come in, so tests and `--now` runs are deterministic.
// The overall verdict combines the clusters' as a report combines its objectives: one cluster not compliant
// makes the fleet not compliant; otherwise one too young to judge (or no cluster at all) makes it
// "insufficient history".
import Foundation
import Policy

public enum FleetReportBuilder {
    public static func build(
        _ inputs: [ReportInput], repository: String, policy: RetentionPolicy?, since: Date,
        until: Date, now: Date, toolVersion: String
    ) -> FleetReport {
        let sorted = inputs.sorted { $0.cluster < $1.cluster }
        let reports = sorted.map { ReportBuilder.build($0, toolVersion: toolVersion) }
        let clusters = zip(reports, sorted).map { FleetClusterSummary(report: $0, input: $1) }
        return FleetReport(
            repository: repository, policy: policy?.name, since: since, until: until, generatedAt: now,
            toolVersion: toolVersion, verdict: verdict(reports), clusters: clusters, reports: reports)
    }

    static func verdict(_ reports: [ComplianceReport]) -> FleetVerdict {
        guard !reports.isEmpty else {
            return FleetVerdict(
                status: .insufficientHistory, compliant: false,
                reasons: ["the repository holds no cluster yet: nothing to judge"])
        }
        let statuses = reports.map(\.verdict.status)
        let status: OverallVerdict =
            statuses.contains(.notCompliant)
            ? .notCompliant
            : statuses.contains(.insufficientHistory) ? .insufficientHistory : .compliant
        let failing = reports.filter { $0.verdict.status == .notCompliant }.map { report in
            "cluster '\(report.cluster)' is not compliant: "
                + report.verdict.reasons.prefix(2).joined(separator: "; ")
        }
        let young = reports.filter { $0.verdict.status == .insufficientHistory }.map { report in
            let unjudged = report.verdict.objectives.filter { $0.status == .insufficientHistory }.map(\.objective)
            return "cluster '\(report.cluster)' has insufficient history to judge " + ReportText.list(unjudged)
        }
        return FleetVerdict(status: status, compliant: status == .compliant, reasons: failing + young)
    }
}
