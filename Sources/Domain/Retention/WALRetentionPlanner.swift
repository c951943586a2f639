// WALRetentionPlanner: which archived WAL files prune keeps. Every kept snapshot keeps the WAL between its
// start and stop (without it the snapshot is not consistent); from one anchor snapshot on, all WAL is kept so
// point-in-time recovery reaches any moment of the PITR window. The anchor is the newest kept snapshot that
// finished before the window opened: older WAL could only serve recoveries to before the window.
import Catalog
import Foundation
import Policy

struct WALRetentionPlanner {
    static let historyReason = "timeline history"
    static let unparsableReason = "not a WAL file name"
    static let misfitReason = "segment name does not fit wal_segment_size"
    static let orphanReason = "needed by no kept snapshot"
    static let staleReason = "older than the PITR window and needed by no kept snapshot"

    /// A kept snapshot's WAL span as segment positions on its timeline. An incremental's span starts where its
    /// chain's full snapshot starts (docs/format.md §6.5): WAL from the start of the oldest backup of every kept
    /// chain is kept, so the older links stay recoverable on their own and the whole chain can be replayed.
    struct Span {
        let id: String
        let startedAt: Date
        let finishedAt: Date
        let timeline: UInt32
        let start: UInt64
        let stop: UInt64
        /// "needed by snapshot X", or "needed by the chain of incremental X" for an incremental's span.
        let reason: String
    }

    private struct Verdict {
        let file: PlannedWALFile
        let timeline: UInt32
        let action: WALAction
        let reason: String
    }

    let policy: RetentionPolicy
    let now: Date
    let segmentSize: UInt64

    /// Spans of the kept snapshots (complete, not expired, with a timeline and a parsable WAL span).
    func spans(of decisions: [BackupDecision], backups: [PlannedBackup]) -> [Span] {
        let kept = Set(decisions.filter { $0.kind == .snapshot && $0.complete && $0.action != .expire }.map(\.id))
        let byID = Dictionary(backups.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return backups.compactMap { backup in
            guard backup.kind == .snapshot, kept.contains(backup.id), let timeline = backup.timeline,
                let start = position(backup.startWal), let stop = position(backup.stopWal)
            else { return nil }
            var reason = "needed by snapshot \(backup.id)"
            var from = start
            if let root = backup.chain?.first.flatMap({ byID[$0] }), root.timeline == timeline,
                let rootStart = position(root.startWal)
            {
                reason = "needed by the chain of incremental \(backup.id)"
                from = min(start, rootStart)
            }
            return Span(
                id: backup.id, startedAt: backup.startedAt, finishedAt: backup.finishedAt ?? backup.startedAt,
                timeline: timeline, start: from, stop: stop, reason: reason)
        }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }

    private func position(_ wal: String?) -> UInt64? {
        wal.flatMap { WALName($0) }?.segmentNumber(segmentSize: segmentSize)
    }

    func plan(_ files: [PlannedWALFile], spans: [Span]) -> (ranges: [WALDecision], expired: [String]) {
        let anchor = self.anchor(among: spans)
        let verdicts = files.map { verdict(for: $0, spans: spans, anchor: anchor) }
            .sorted { ($0.timeline, $0.file.name) < ($1.timeline, $1.file.name) }
        let expired = verdicts.filter { $0.action == .expire }.map(\.file.name).sorted()
        return (Self.ranges(verdicts), expired)
    }

    /// With a PITR window: the newest kept snapshot finished before the window opened, else the oldest kept
    /// one. Without: the oldest kept snapshot. nil when no snapshot is kept.
    func anchor(among spans: [Span]) -> Span? {
        guard let window = policy.wal.pitrWindow else { return spans.first }
        let opened = now.addingTimeInterval(-window)
        return spans.last { $0.finishedAt <= opened } ?? spans.first
    }

    // MARK: - one file

    private func verdict(for file: PlannedWALFile, spans: [Span], anchor: Span?) -> Verdict {
        guard let name = WALName(file.name) else {
            return Verdict(file: file, timeline: 0, action: .keep, reason: Self.unparsableReason)
        }
        let keep = { (reason: String) in Verdict(file: file, timeline: name.timeline, action: .keep, reason: reason) }
        if name.kind == .history { return keep(Self.historyReason) }
        guard let position = name.segmentNumber(segmentSize: segmentSize) else { return keep(Self.misfitReason) }
        let age = now.timeIntervalSince(file.archivedAt)
        guard let anchor else { return withoutSnapshots(file, timeline: name.timeline, age: age) }
        if let span = spans.first(where: { $0.timeline == name.timeline && (($0.start)...($0.stop)).contains(position) }
        ) {
            return keep(span.reason)
        }
        if position >= anchor.start { return keep("point-in-time recovery from snapshot \(anchor.id)") }
        if age < policy.safety.minAge { return keep(minAgeReason) }
        return Verdict(file: file, timeline: name.timeline, action: .expire, reason: Self.staleReason)
    }

    /// No snapshot is kept: WAL alone restores nothing, but it may be all that is left of a recent past, so
    /// the PITR window (or, without one, everything) is kept.
    private func withoutSnapshots(_ file: PlannedWALFile, timeline: UInt32, age: TimeInterval) -> Verdict {
        guard let window = policy.wal.pitrWindow else {
            return Verdict(
                file: file, timeline: timeline, action: .keep, reason: "no kept snapshot; policy sets no pitr_window")
        }
        if age < window {
            return Verdict(
                file: file, timeline: timeline, action: .keep,
                reason: "within the PITR window (\(DurationText.format(window)))")
        }
        if age < policy.safety.minAge {
            return Verdict(file: file, timeline: timeline, action: .keep, reason: minAgeReason)
        }
        return Verdict(file: file, timeline: timeline, action: .expire, reason: Self.orphanReason)
    }

    private var minAgeReason: String { "younger than min_age \(DurationText.format(policy.safety.minAge))" }

    // MARK: - ranges

    /// Consecutive files (per timeline, in name order) with the same action and reason become one range.
    private static func ranges(_ verdicts: [Verdict]) -> [WALDecision] {
        var ranges: [WALDecision] = []
        for verdict in verdicts {
            if var last = ranges.last, last.timeline == verdict.timeline, last.action == verdict.action,
                last.reason == verdict.reason
            {
                last.last = verdict.file.name
                last.files += 1
                last.bytes += verdict.file.size
                ranges[ranges.count - 1] = last
            } else {
                ranges.append(
                    WALDecision(
                        timeline: verdict.timeline, first: verdict.file.name, last: verdict.file.name,
                        files: 1, bytes: verdict.file.size, action: verdict.action, reason: verdict.reason))
            }
        }
        return ranges
    }
}
