// CoverageCheck: how much data a disaster at the worst moment of the period would have lost. The recovery
// points are the archived WAL segment times a restore can reach plus the finish times of complete backups; the
// exposure is the time between consecutive points, counted from `since` to the first point (a point before the
// period is not credited: the report speaks only for its period) and from the last point to the end. The part
// of the period before the repository's history (ReportPeriod.coveredFrom) is not covered: it is no exposure,
// and when what remains is shorter than the RPO itself the objective cannot be judged yet.
import Foundation

struct CoverageCheck {
    let input: ReportInput
    let period: ReportPeriod

    func assess() -> CoverageCompliance {
        let points = recoveryPoints()
        let spans = exposures(between: points)
        let worst = spans.max { $0.seconds < $1.seconds }
        let rpo = input.policy?.objectives.rpo
        let over = rpo.map { objective in spans.filter { $0.seconds > objective } } ?? []
        let met = status(worst: worst?.seconds, points: points.count) != .notMet
        return CoverageCompliance(
            worstExposureSeconds: worst?.seconds, worstExposureFrom: worst?.from, worstExposureTo: worst?.to,
            exposuresOverObjective: over, walGaps: walGaps(), points: points.count, met: met)
    }

    /// Violated when a stretch of the covered period exceeds the RPO (or, without one, has no recovery point);
    /// insufficient history when the covered part is shorter than the RPO, so no stretch could exceed it yet.
    func status(worst: Double?, points: Int) -> ObjectiveStatus {
        guard period.coveredSeconds > 0 else { return .insufficientHistory }
        guard let rpo = input.policy?.objectives.rpo else { return points > 0 ? .met : .notMet }
        if let worst, worst > rpo { return .notMet }
        return period.coveredSeconds < rpo ? .insufficientHistory : .met
    }

    /// Sorted, without duplicates, inside [coveredFrom, end).
    func recoveryPoints() -> [Date] {
        let finishes = input.restorableBackups.filter { period.contains($0.startedAt) }.map(\.finishedAt)
        let all = Set((input.recoverablePoints + finishes).filter { $0 >= period.coveredFrom && $0 < period.end })
        return all.sorted()
    }

    private func exposures(between points: [Date]) -> [ExposureSpan] {
        let edges = [period.coveredFrom] + points + [period.end]
        return zip(edges, edges.dropFirst()).compactMap { from, to in
            // Two points at the same instant (or a point at `since`) leave no exposure between them.
            to > from ? ExposureSpan(from: from, to: to, seconds: to.timeIntervalSince(from)) : nil
        }
    }

    private func walGaps() -> [ReportWALGap] {
        input.walGaps.filter { $0.from < period.until && $0.to > period.since }
            .sorted { ($0.from, $0.timeline) < ($1.from, $1.timeline) }
    }
}

extension CoverageCheck {
    func findings(_ coverage: CoverageCompliance) -> Findings {
        var findings = Findings()
        let rpo = input.policy?.objectives.rpo
        let status = status(worst: coverage.worstExposureSeconds, points: coverage.points)
        if coverage.points == 0 && status == .notMet {
            findings.failures.append("no recovery point in the period")
        } else if let rpo, !coverage.met, let worst = coverage.worstExposureSeconds,
            let from = coverage.worstExposureFrom, let to = coverage.worstExposureTo
        {
            findings.failures.append(
                "worst RPO exposure \(ReportText.duration(worst)) (objective \(ReportText.duration(rpo))) "
                    + "from \(ReportText.time(from)) to \(ReportText.time(to)); "
                    + "\(ReportText.count(coverage.exposuresOverObjective.count, "stretch", "stretches")) over the objective"
            )
        }
        if rpo == nil {
            findings.notes.append("no RPO objective: coverage judged only on having recovery points")
        }
        for gap in coverage.walGaps {
            findings.notes.append(
                "WAL gap on timeline \(gap.timeline): \(gap.first)–\(gap.last) "
                    + "(\(ReportText.count(Int(gap.segments), "segment"))) from \(ReportText.time(gap.from)) to \(ReportText.time(gap.to))"
            )
        }
        return findings
    }
}
