// DrillCheck: were recoveries rehearsed often enough, and does the newest rehearsal of each drill pass?
// Cadence: every instant of [since, until] must have a passed drill at most `drill_every` old — a passed drill
// at p covers [p, p + drill_every]; what no drill covers is an uncovered stretch. Passed drills before the
// period count for its beginning (a drill 100 days before `since` covers its first 82 days at 182d).
// met = cadence met (or not judged) and the newest run of each drill in the period passed. An older failed run
// that a later run of the same drill made good is a note, not a failure: the recovery works now, and the
// auditor still sees that it did not always.
// A new repository has one `drill_every` from the start of its history (ReportPeriod.historyStart) to pass
// its first drill: the time before that is not a missed cadence. When the history is shorter than
// `drill_every` and no drill has passed yet, the cadence cannot be judged (insufficient history).
import Drills
import Foundation

struct DrillCheck {
    let input: ReportInput
    let period: ReportPeriod

    private var drillEvery: Double? { input.policy?.objectives.drillEvery }

    private var runs: [DrillEvidence] {
        input.drills.filter { period.contains($0.startedAt) }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }

    /// Passed drills up to `until`, oldest first.
    private var passedTimes: [(at: Date, drill: String)] {
        input.drills.filter { $0.verdict == .passed && $0.startedAt < period.until }
            .map { (at: $0.startedAt, drill: $0.drill) }.sorted { $0.at < $1.at }
    }

    func assess() -> DrillCompliance {
        let runs = runs
        let passed = runs.filter { $0.verdict == .passed }.count
        let cadence = cadenceStatus()
        let cadenceMet: Bool? = cadence == .met ? true : cadence == .notMet ? false : nil
        return DrillCompliance(
            runs: runs.map(Self.summary), passed: passed, failed: runs.count - passed,
            lastPassed: passedTimes.last?.at, cadenceMet: cadenceMet,
            met: cadenceMet != false && newestFailing(runs).isEmpty)
    }

    func findings() -> Findings {
        var findings = Findings()
        let runs = runs
        if let every = drillEvery {
            let last =
                passedTimes.last.map { " (last passed: '\($0.drill)' \(ReportText.time($0.at)))" }
                ?? " (no drill ever passed)"
            for stretch in uncovered(every: every) {
                findings.failures.append(
                    "drill cadence \(ReportText.duration(every)) not met: no passed drill from "
                        + "\(ReportText.time(stretch.from)) to \(ReportText.time(stretch.to))" + last)
            }
        } else {
            findings.notes.append("no drill_every objective: drill cadence not judged")
        }
        let newest = newestFailing(runs)
        for run in runs where run.verdict != .passed {
            let sentence =
                "drill '\(run.drill)' run \(run.id) on \(ReportText.time(run.startedAt)) \(run.verdict.rawValue)"
                + (run.reasons.isEmpty ? "" : ": " + run.reasons.joined(separator: "; "))
            if newest.contains(run.id) {
                findings.failures.append(sentence + " (newest run of this drill)")
            } else {
                findings.notes.append(sentence + " (a later run passed)")
            }
        }
        if runs.isEmpty { findings.notes.append("no drill ran in the period") }
        return findings
    }

    /// Violated when a stretch has no passed drill; insufficient history when the repository's history up to
    /// `until` is shorter than `drill_every` and no drill passed yet.
    func cadenceStatus() -> ObjectiveStatus {
        guard let every = drillEvery else { return .notJudged }
        if !uncovered(every: every).isEmpty { return .notMet }
        let history = period.until.timeIntervalSince(period.historyStart ?? period.until)
        return passedTimes.isEmpty && history < every ? .insufficientHistory : .met
    }

    /// RTO and the drills' own checks: violated when the newest run of a drill in the period did not pass; met
    /// when a drill has passed by `until`; otherwise nothing has measured the recovery yet.
    func recoveryStatus() -> ObjectiveStatus {
        if !newestFailing(runs).isEmpty { return .notMet }
        if !passedTimes.isEmpty { return .met }
        return input.policy?.objectives.rto == nil ? .notJudged : .insufficientHistory
    }

    /// Ids of runs that are the newest of their drill in the period and did not pass.
    private func newestFailing(_ runs: [DrillEvidence]) -> Set<String> {
        let newest = Dictionary(grouping: runs, by: \.drill).compactMap { $0.value.last }
        return Set(newest.filter { $0.verdict != .passed }.map(\.id))
    }

    /// The stretches of [coveredFrom, until] no passed drill covers; the first `drill_every` of the history is
    /// the grace a new repository has for its first drill.
    func uncovered(every: Double) -> [ExposureSpan] {
        var stretches: [ExposureSpan] = []
        guard let historyStart = period.historyStart else { return [] }
        var reach = max(period.coveredFrom, historyStart.addingTimeInterval(every))
        for passed in passedTimes {
            if passed.at > reach {
                stretches.append(ExposureSpan(from: reach, to: passed.at, seconds: passed.at.timeIntervalSince(reach)))
            }
            reach = max(reach, passed.at.addingTimeInterval(every))
        }
        if reach < period.until {
            stretches.append(
                ExposureSpan(from: reach, to: period.until, seconds: period.until.timeIntervalSince(reach)))
        }
        return stretches
    }

    private static func summary(_ run: DrillEvidence) -> DrillRunSummary {
        DrillRunSummary(
            id: run.id, drill: run.drill, at: run.startedAt, backup: run.backup?.id,
            rtoSeconds: run.rtoSeconds, rpoSeconds: run.rpoSeconds,
            rtoObjectiveSeconds: run.objectives.rtoSeconds, rpoObjectiveSeconds: run.objectives.rpoSeconds,
            rpoMethod: run.recoveryPoint?.method.rawValue, verdict: run.verdict, reasons: run.reasons)
    }
}
