// RetentionPlanner: plan(policy, catalog, now) → keep / expire / transition for every backup and WAL range,
// each with its reason. Pure: the same input gives the same plan, which is what makes `prune --dry-run --now T`
// a faithful simulator and lets golden files pin the behaviour down.
import Catalog
import Foundation
import Policy

public enum RetentionPlanner {
    public static func plan(policy: RetentionPolicy, input: PlanInput, now: Date) -> RetentionPlan {
        let retention = BackupRetention(
            policy: policy, now: now, calendar: CalendarBucket.calendar(in: policy.timeZone))
        let tiering = TieringPlanner(rules: input.storageClassesSupported ? policy.tiering : [], now: now)
        let broken = ChainRetention.brokenChains(input.backups)
        var decisions: [BackupDecision] = []
        for kind in BackupKind.allCases {
            let backups = input.backups.filter { $0.kind == kind }
            for (_, decision, verdict) in retention.decide(backups, kind: kind, broken: broken) {
                decisions.append(tiering.apply(to: decision, keptBy: verdict.calendarPeriods))
            }
        }
        ChainRetention.holdBackArchival(&decisions, backups: input.backups)
        decisions.sort { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }

        let segmentSize = UInt64(clamping: input.segmentSize)
        let walPlanner = WALRetentionPlanner(policy: policy, now: now, segmentSize: segmentSize)
        let spans = walPlanner.spans(of: decisions, backups: input.backups.filter { broken[$0.id] == nil })
        let wal = walPlanner.plan(input.wal, spans: spans)
        return RetentionPlan(
            cluster: input.cluster, policy: policy.name, now: now, backups: decisions,
            wal: wal.ranges, expiredWAL: wal.expired)
    }
}
