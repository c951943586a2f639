// RecoveryWindow: what the WAL archive and the snapshots of a cluster can recover, computed from facts alone
// (no I/O; `now` is passed in). Per timeline: the archived segment ranges, the gaps between them, and the
// recoverable windows: from the oldest snapshot whose own WAL (start_wal … stop_wal) is archived, to the newest
// archived segment contiguous with it — a gap ends the window, and a restorable snapshot after a gap starts a
// new one. Snapshots whose own WAL is not all archived are listed as not restorable, with the missing segments.
//
// The newest recoverable point's time is the archived time of the window's last segment. This is an
// approximation from above: a segment is archived after its last commit was written (at most archive_timeout
// later on an idle server), so the true last commit time is at or before it; knowing it exactly needs WAL
// decoding. A child timeline continues its parent's window when its history file is archived (a
// TimelineBranch): recovery replays the parent up to the switch point and the child from the segment holding
// it, so a parent window reaching the segment before the switch extends into the child's run that contains the
// switch segment — which is how `restore latest` (recovery_target_timeline = latest) recovers after a restored
// server was promoted and archives into the same repository. Without the history file, timelines stay
// independent: PostgreSQL could not follow the child either.
//
// `.partial` segments, timeline history and backup history files are not segments of a timeline's sequence
// and play no part in ranges, gaps or windows.
import Foundation

/// One archived WAL file as the archive lists it: its name and when it was archived.
public struct ArchivedWALFile: Sendable, Equatable {
    public var name: WALName
    public var archivedAt: Date
    public init(name: WALName, archivedAt: Date) {
        self.name = name
        self.archivedAt = archivedAt
    }
}

/// What a snapshot needs from the WAL archive to be restorable.
public struct SnapshotWALNeed: Sendable, Equatable {
    public var backup: String
    public var startWal: String
    public var stopWal: String
    public var finishedAt: Date
    public init(backup: String, startWal: String, stopWal: String, finishedAt: Date) {
        self.backup = backup
        self.startWal = startWal
        self.stopWal = stopWal
        self.finishedAt = finishedAt
    }

    /// The snapshot part of a manifest; nil for logical backups.
    public init?(_ manifest: BackupManifest) {
        guard manifest.kind == .snapshot, let snapshot = manifest.snapshot else { return nil }
        self.init(
            backup: manifest.id.rawValue, startWal: snapshot.startWal, stopWal: snapshot.stopWal,
            finishedAt: manifest.finishedAt)
    }
}

/// A run of consecutive segments on one timeline, inclusive at both ends.
public struct WALSegmentRange: Codable, Sendable, Equatable {
    public var timeline: UInt32
    public var first: String
    public var last: String
    public var segments: UInt64
    public init(timeline: UInt32, first: String, last: String, segments: UInt64) {
        self.timeline = timeline
        self.first = first
        self.last = last
        self.segments = segments
    }
}

/// A span of time that can be recovered to: any point from the snapshot's end to the last segment's archiving.
public struct RecoverableWindow: Codable, Sendable, Equatable {
    public var timeline: UInt32
    /// The oldest restorable snapshot the window starts from.
    public var fromBackup: String
    /// The snapshot's finish time: the earliest point this window reaches.
    public var fromTime: Date
    public var fromWal: String
    /// The last segment contiguous with the snapshot's WAL, and when it was archived (an upper bound of the
    /// newest recoverable commit; see the file comment).
    public var toWal: String
    public var toTime: Date
    public init(timeline: UInt32, fromBackup: String, fromTime: Date, fromWal: String, toWal: String, toTime: Date) {
        self.timeline = timeline
        self.fromBackup = fromBackup
        self.fromTime = fromTime
        self.fromWal = fromWal
        self.toWal = toWal
        self.toTime = toTime
    }
}

/// A snapshot whose own WAL is not all archived: it cannot be made consistent.
public struct UnrestorableSnapshot: Codable, Sendable, Equatable {
    public var backup: String
    public var timeline: UInt32?
    public var missing: [WALSegmentRange]
    /// Set when the manifest's WAL span itself is unusable (then `missing` is empty).
    public var problem: String?
    public init(backup: String, timeline: UInt32?, missing: [WALSegmentRange], problem: String?) {
        self.backup = backup
        self.timeline = timeline
        self.missing = missing
        self.problem = problem
    }
}

public struct TimelineWAL: Codable, Sendable, Equatable {
    public var timeline: UInt32
    public var archived: [WALSegmentRange]
    public var gaps: [WALSegmentRange]
    public var windows: [RecoverableWindow]
}

public struct RecoveryWindowReport: Codable, Sendable, Equatable {
    public var segmentSize: Int64
    public var timelines: [TimelineWAL]
    public var unrestorableSnapshots: [UnrestorableSnapshot]

    /// True when the archive holds at least one segment.
    public var hasWAL: Bool { timelines.contains { !$0.archived.isEmpty } }
    /// Every window, oldest end first.
    public var windows: [RecoverableWindow] {
        timelines.flatMap(\.windows).sorted { ($0.toTime, $0.timeline) < ($1.toTime, $1.timeline) }
    }
    /// The window reaching the newest point (ties: the higher timeline).
    public var newestWindow: RecoverableWindow? { windows.last }
    public var gaps: [WALSegmentRange] { timelines.flatMap(\.gaps) }

    /// A snapshot's WAL span as segment numbers on its timeline.
    typealias SnapshotSpan = (need: SnapshotWALNeed, start: UInt64, stop: UInt64)

    /// Computes the report. `segmentSize` is wal_segment_size (from the system record or a snapshot manifest).
    public static func compute(
        snapshots: [SnapshotWALNeed], archived: [ArchivedWALFile], segmentSize: Int64,
        branches: [TimelineBranch] = []
    ) -> RecoveryWindowReport {
        let size = UInt64(segmentSize)
        let byTimeline = segmentsByTimeline(archived, segmentSize: size)
        var unrestorable: [UnrestorableSnapshot] = []
        let needs = spansByTimeline(snapshots, segmentSize: segmentSize, unrestorable: &unrestorable)
        var timelines: [TimelineWAL] = []
        let branchOf = Dictionary(branches.map { ($0.timeline, $0) }, uniquingKeysWith: { first, _ in first })
        for timeline in Set(byTimeline.keys).union(needs.keys).sorted() {  // parents before children
            let inherited = branchOf[timeline].flatMap { branch in
                Self.parentWindow(
                    branch, windows: timelines.first { $0.timeline == branch.parent }?.windows ?? [],
                    segmentSize: size)
            }
            timelines.append(
                timelineWAL(
                    timeline, segments: byTimeline[timeline] ?? [:], spans: needs[timeline] ?? [],
                    inherited: inherited, segmentSize: size, unrestorable: &unrestorable))
        }
        return RecoveryWindowReport(
            segmentSize: segmentSize, timelines: timelines,
            unrestorableSnapshots: unrestorable.sorted { $0.backup < $1.backup })
    }

    /// Segment number → archived time, per timeline.
    static func segmentsByTimeline(
        _ archived: [ArchivedWALFile],
        segmentSize size: UInt64
    ) -> [UInt32: [UInt64: Date]] {
        var byTimeline: [UInt32: [UInt64: Date]] = [:]
        for file in archived where file.name.kind == .segment {
            guard let number = file.name.segmentNumber(segmentSize: size) else { continue }
            byTimeline[file.name.timeline, default: [:]][number] = file.archivedAt
        }
        return byTimeline
    }

    /// Each snapshot's span, per timeline; a snapshot whose span is not valid for the segment size is unrestorable.
    static func spansByTimeline(
        _ snapshots: [SnapshotWALNeed], segmentSize: Int64,
        unrestorable: inout [UnrestorableSnapshot]
    ) -> [UInt32: [SnapshotSpan]] {
        let size = UInt64(segmentSize)
        var needs: [UInt32: [SnapshotSpan]] = [:]
        for need in snapshots {
            guard let start = WALName(need.startWal), let stop = WALName(need.stopWal), start.kind == .segment,
                stop.kind == .segment, start.timeline == stop.timeline,
                let first = start.segmentNumber(segmentSize: size),
                let last = stop.segmentNumber(segmentSize: size), first <= last
            else {
                unrestorable.append(
                    UnrestorableSnapshot(
                        backup: need.backup, timeline: nil, missing: [],
                        problem: "its WAL span '\(need.startWal)' … '\(need.stopWal)' is not valid for "
                            + "\(segmentSize)-byte segments"))
                continue
            }
            needs[start.timeline, default: []].append((need, first, last))
        }
        return needs
    }

    /// One timeline: its archived runs, the gaps between them, the windows they make recoverable (from a snapshot
    /// inside a run, or from the parent timeline's window through the switch), and its unrestorable snapshots.
    static func timelineWAL(
        _ timeline: UInt32, segments: [UInt64: Date], spans: [SnapshotSpan],
        inherited: (RecoverableWindow, UInt64)?, segmentSize size: UInt64,
        unrestorable: inout [UnrestorableSnapshot]
    ) -> TimelineWAL {
        let runs = Self.runs(segments.keys.sorted())
        let name = { (number: UInt64) in LSN.segmentName(timeline: timeline, segment: number, segmentSize: size) }
        let range = { (first: UInt64, last: UInt64) in
            WALSegmentRange(timeline: timeline, first: name(first), last: name(last), segments: last - first + 1)
        }
        let gaps = zip(runs, runs.dropFirst()).map { previous, next in
            range(previous.upperBound + 1, next.lowerBound - 1)
        }
        let candidates = spans.sorted { ($0.need.finishedAt, $0.need.backup) < ($1.need.finishedAt, $1.need.backup) }
        let windows = runs.compactMap { run in
            window(
                of: run, timeline: timeline, endTime: segments[run.upperBound], candidates: candidates,
                inherited: inherited, name: name)
        }
        let restorable = { (span: SnapshotSpan) in runs.contains { $0.contains(span.start) && $0.contains(span.stop) } }
        for candidate in candidates where !restorable(candidate) {
            let missing = Self.subtract(candidate.start...candidate.stop, runs)
                .map { range($0.lowerBound, $0.upperBound) }
            unrestorable.append(
                UnrestorableSnapshot(
                    backup: candidate.need.backup, timeline: timeline,
                    missing: missing, problem: nil))
        }
        return TimelineWAL(
            timeline: timeline, archived: runs.map { range($0.lowerBound, $0.upperBound) }, gaps: gaps,
            windows: windows)
    }

    /// The window a run of archived segments makes recoverable, if any. A parent window reaching the switch starts
    /// the child's run that holds the switch segment; it is older than any snapshot taken on the child. Otherwise
    /// the oldest snapshot whose WAL lies wholly inside this run starts the run's window.
    static func window(
        of run: ClosedRange<UInt64>, timeline: UInt32, endTime: Date?, candidates: [SnapshotSpan],
        inherited: (RecoverableWindow, UInt64)?, name: (UInt64) -> String
    ) -> RecoverableWindow? {
        guard let endTime else { return nil }
        if let (parent, switchSegment) = inherited, run.contains(switchSegment) {
            return RecoverableWindow(
                timeline: timeline, fromBackup: parent.fromBackup, fromTime: parent.fromTime,
                fromWal: parent.fromWal, toWal: name(run.upperBound), toTime: endTime)
        }
        guard let oldest = candidates.first(where: { run.contains($0.start) && run.contains($0.stop) }) else {
            return nil
        }
        return RecoverableWindow(
            timeline: timeline, fromBackup: oldest.need.backup, fromTime: oldest.need.finishedAt,
            fromWal: name(oldest.stop), toWal: name(run.upperBound), toTime: endTime)
    }

    /// The oldest window of the parent timeline that recovery can follow into `branch`: it starts at or before
    /// the switch segment and reaches the segment before it. Returned with the switch segment's number.
    static func parentWindow(_ branch: TimelineBranch, windows: [RecoverableWindow], segmentSize: UInt64)
        -> (RecoverableWindow, UInt64)?
    {
        let switchSegment = branch.switchPoint.segment(size: segmentSize)
        let number = { (text: String) in WALName(text)?.segmentNumber(segmentSize: segmentSize) }
        let usable = windows.filter { window in
            guard let from = number(window.fromWal), let to = number(window.toWal) else { return false }
            return from <= switchSegment && to &+ 1 >= switchSegment
        }
        return usable.min { ($0.fromTime, $0.fromBackup) < ($1.fromTime, $1.fromBackup) }.map { ($0, switchSegment) }
    }

    /// Consecutive numbers grouped into closed ranges; `sorted` must be ascending without duplicates.
    static func runs(_ sorted: [UInt64]) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        for number in sorted {
            if let last = result.last, last.upperBound &+ 1 == number {
                result[result.count - 1] = last.lowerBound...number
            } else {
                result.append(number...number)
            }
        }
        return result
    }

    /// The parts of `span` not covered by `runs` (ascending, disjoint).
    static func subtract(_ span: ClosedRange<UInt64>, _ runs: [ClosedRange<UInt64>]) -> [ClosedRange<UInt64>] {
        var result: [ClosedRange<UInt64>] = []
        var next = span.lowerBound
        for run in runs where run.upperBound >= span.lowerBound && run.lowerBound <= span.upperBound {
            if run.lowerBound > next { result.append(next...(run.lowerBound - 1)) }
            if run.upperBound >= span.upperBound { return result }
            next = run.upperBound + 1
        }
        if next <= span.upperBound { result.append(next...span.upperBound) }
        return result
    }
}

/// Live RPO exposure: how far back the newest recoverable point is, against the objective.
public struct RPOExposure: Codable, Sendable, Equatable {
    public enum Source: String, Codable, Sendable {
        case walArchive = "wal_archive"
        case backup
    }

    public var now: Date
    public var objectiveSeconds: Double
    /// The newest point that can be recovered to; nil when nothing is recoverable.
    public var newestRecoverablePoint: Date?
    public var source: Source?
    public var exposureSeconds: Double?
    public var met: Bool

    /// The newest of the WAL archive's newest window end and the newest backup that needs no WAL (logical).
    public static func evaluate(newestWindowEnd: Date?, newestStandaloneBackup: Date?, now: Date, objective: Double)
        -> RPOExposure
    {
        var point: Date?
        var source: Source?
        if let end = newestWindowEnd { (point, source) = (end, .walArchive) }
        if let backup = newestStandaloneBackup, point.map({ backup > $0 }) ?? true {
            (point, source) = (backup, .backup)
        }
        let exposure = point.map { max(0, now.timeIntervalSince($0)) }
        return RPOExposure(
            now: now, objectiveSeconds: objective, newestRecoverablePoint: point, source: source,
            exposureSeconds: exposure, met: exposure.map { $0 <= objective } ?? false)
    }

    /// Parses a duration such as `15m`, `1h`, `90s`, `1h30m`, `2d` (units s, m, h, d; at least one part).
    public static func parseDuration(_ text: String) -> Double? {
        var total = 0.0
        var digits = ""
        var parts = 0
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let value = Double(digits) else { return nil }
            switch character {
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            default: return nil
            }
            digits = ""
            parts += 1
        }
        return digits.isEmpty && parts > 0 ? total : nil
    }

    /// `3m12s`, `2h05m`, `45s`, `3d04h`, `15m`, `1h`: whole seconds, the two largest units, a zero second unit left out.
    public static func formatDuration(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded(.down))
        func pair(_ big: Int, _ bigUnit: String, _ small: Int, _ smallUnit: String) -> String {
            "\(big)\(bigUnit)" + (small == 0 ? "" : String(format: "%02d", small) + smallUnit)
        }
        if total < 60 { return "\(total)s" }
        if total < 3600 { return pair(total / 60, "m", total % 60, "s") }
        if total < 86400 { return pair(total / 3600, "h", (total % 3600) / 60, "m") }
        return pair(total / 86400, "d", (total % 86400) / 3600, "h")
    }
}
