// RecoveryWindow: archived segment ranges, gaps and recoverable windows from snapshot needs and archived WAL
// records, golden style; and the RPO exposure arithmetic behind `lifeboat status`.
import Catalog
import Foundation
import XCTest

final class RecoveryWindowTests: XCTestCase {
    static let size: Int64 = 16 << 20
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// Segment `number` of `timeline` (16 MiB segments), archived `minutes` after t0.
    func file(_ timeline: UInt32, _ number: UInt64, _ minutes: Double) -> ArchivedWALFile {
        ArchivedWALFile(name: WALName(name(timeline, number))!, archivedAt: t0.addingTimeInterval(minutes * 60))
    }

    func name(_ timeline: UInt32, _ number: UInt64) -> String {
        LSN.segmentName(timeline: timeline, segment: number, segmentSize: UInt64(Self.size))
    }

    func snapshot(_ id: String, _ timeline: UInt32, _ start: UInt64, _ stop: UInt64, _ minutes: Double)
        -> SnapshotWALNeed
    {
        SnapshotWALNeed(
            backup: id, startWal: name(timeline, start), stopWal: name(timeline, stop),
            finishedAt: t0.addingTimeInterval(minutes * 60))
    }

    func compute(_ snapshots: [SnapshotWALNeed], _ files: [ArchivedWALFile]) -> RecoveryWindowReport {
        RecoveryWindowReport.compute(snapshots: snapshots, archived: files, segmentSize: Self.size)
    }

    func testEmptyArchiveHasNoWindowAndNoGaps() {
        let report = compute([], [])
        XCTAssertFalse(report.hasWAL)
        XCTAssertEqual(report.timelines, [])
        XCTAssertNil(report.newestWindow)
        XCTAssertEqual(report.gaps, [])
        XCTAssertEqual(report.unrestorableSnapshots, [])
    }

    func testOneSnapshotWithContiguousWAL() {
        // Segments 3…9 (crossing nothing special) archived a minute apart; the snapshot needs 4…5.
        let files = (3...9).map { file(1, UInt64($0), Double($0)) }
        let report = compute([snapshot("S1", 1, 4, 5, 5.5)], files)
        XCTAssertEqual(report.timelines.count, 1)
        XCTAssertEqual(
            report.timelines[0].archived,
            [WALSegmentRange(timeline: 1, first: name(1, 3), last: name(1, 9), segments: 7)])
        XCTAssertEqual(report.gaps, [])
        XCTAssertEqual(
            report.newestWindow,
            RecoverableWindow(
                timeline: 1, fromBackup: "S1", fromTime: t0.addingTimeInterval(330),
                fromWal: name(1, 5), toWal: name(1, 9), toTime: t0.addingTimeInterval(540)))
        XCTAssertEqual(report.windows.count, 1)
        XCTAssertEqual(report.unrestorableSnapshots, [])
    }

    func testSegmentNumbersCrossLogFileBoundaries() {
        // 0x0FF and 0x100 are consecutive segments: 00000001 00000000 000000FF → 00000001 00000001 00000000.
        let files = [file(1, 0xFE, 1), file(1, 0xFF, 2), file(1, 0x100, 3)]
        XCTAssertEqual(name(1, 0x100), "000000010000000100000000")
        let report = compute([snapshot("S", 1, 0xFE, 0xFE, 1)], files)
        XCTAssertEqual(report.gaps, [])
        XCTAssertEqual(report.newestWindow?.toWal, "000000010000000100000000")
    }

    func testGapAfterTheSnapshotEndsTheWindow() {
        // 10…14 archived, 15…16 missing, 17…18 archived: the window stops at 14.
        let files =
            (10...14).map { file(1, UInt64($0), Double($0)) } + (17...18).map { file(1, UInt64($0), Double($0)) }
        let report = compute([snapshot("S1", 1, 10, 11, 11)], files)
        XCTAssertEqual(report.gaps, [WALSegmentRange(timeline: 1, first: name(1, 15), last: name(1, 16), segments: 2)])
        XCTAssertEqual(report.windows.count, 1)
        XCTAssertEqual(report.newestWindow?.toWal, name(1, 14))
        XCTAssertEqual(report.newestWindow?.toTime, t0.addingTimeInterval(14 * 60))
        XCTAssertEqual(report.timelines[0].archived.map(\.segments), [5, 2])
    }

    func testGapBeforeTheSnapshotIsIrrelevantToTheWindow() {
        // 1…2 archived, 3…5 missing, 6…12 archived; the snapshot needs 7…8. The gap is reported but the window
        // runs from the snapshot to 12.
        let files = (1...2).map { file(1, UInt64($0), Double($0)) } + (6...12).map { file(1, UInt64($0), Double($0)) }
        let report = compute([snapshot("S1", 1, 7, 8, 8)], files)
        XCTAssertEqual(report.gaps, [WALSegmentRange(timeline: 1, first: name(1, 3), last: name(1, 5), segments: 3)])
        XCTAssertEqual(report.windows.map(\.toWal), [name(1, 12)])
        XCTAssertEqual(report.windows.map(\.fromBackup), ["S1"])
    }

    func testARestorableSnapshotAfterAGapStartsANewWindowAndTheOldestStartsEach() {
        let files = (1...5).map { file(1, UInt64($0), Double($0)) } + (8...12).map { file(1, UInt64($0), Double($0)) }
        let report = compute(
            [snapshot("S1", 1, 1, 2, 2), snapshot("S2", 1, 3, 3, 3), snapshot("S3", 1, 9, 9, 9)], files)
        XCTAssertEqual(report.windows.map(\.fromBackup), ["S1", "S3"])
        XCTAssertEqual(report.windows.map(\.toWal), [name(1, 5), name(1, 12)])
        XCTAssertEqual(report.newestWindow?.fromBackup, "S3")
    }

    func testTwoTimelinesAreIndependent() {
        // Timeline 1: 1…6 with snapshot S1; timeline 2 (after a promotion at segment 6): 6…9 with snapshot S2,
        // plus the .partial and the history file, which take no part.
        let files =
            (1...6).map { file(1, UInt64($0), Double($0)) } + (6...9).map { file(2, UInt64($0), Double($0) + 10) }
            + [
                ArchivedWALFile(name: WALName(name(1, 6) + ".partial")!, archivedAt: t0),
                ArchivedWALFile(name: WALName("00000002.history")!, archivedAt: t0),
            ]
        let report = compute([snapshot("S1", 1, 2, 3, 3), snapshot("S2", 2, 7, 7, 17)], files)
        XCTAssertEqual(report.timelines.map(\.timeline), [1, 2])
        XCTAssertEqual(report.gaps, [])
        XCTAssertEqual(report.timelines[0].windows.map(\.toWal), [name(1, 6)])
        XCTAssertEqual(report.timelines[1].windows.map(\.toWal), [name(2, 9)])
        XCTAssertEqual(report.windows.map(\.timeline), [1, 2], "oldest end first")
        XCTAssertEqual(report.newestWindow?.timeline, 2)
        XCTAssertEqual(report.newestWindow?.toTime, t0.addingTimeInterval(19 * 60))
    }

    func testSnapshotWhoseOwnWALIsMissingIsNotRestorable() {
        // S1 needs 4…6, 5 is missing: not restorable, no window; S2 on timeline 3 has no WAL at all.
        let files = [file(1, 3, 3), file(1, 4, 4), file(1, 6, 6), file(1, 7, 7)]
        let report = compute([snapshot("S1", 1, 4, 6, 6), snapshot("S2", 3, 1, 2, 8)], files)
        XCTAssertEqual(report.windows, [])
        XCTAssertNil(report.newestWindow)
        XCTAssertEqual(
            report.unrestorableSnapshots,
            [
                UnrestorableSnapshot(
                    backup: "S1", timeline: 1,
                    missing: [WALSegmentRange(timeline: 1, first: name(1, 5), last: name(1, 5), segments: 1)],
                    problem: nil),
                UnrestorableSnapshot(
                    backup: "S2", timeline: 3,
                    missing: [WALSegmentRange(timeline: 3, first: name(3, 1), last: name(3, 2), segments: 2)],
                    problem: nil),
            ])
        XCTAssertEqual(report.gaps, [WALSegmentRange(timeline: 1, first: name(1, 5), last: name(1, 5), segments: 1)])
        let broken = compute(
            [SnapshotWALNeed(backup: "S3", startWal: "junk", stopWal: name(1, 4), finishedAt: t0)], files)
        XCTAssertEqual(broken.unrestorableSnapshots.first?.backup, "S3")
        XCTAssertNotNil(broken.unrestorableSnapshots.first?.problem)
    }

    func testJSONShape() throws {
        let report = compute([snapshot("S1", 1, 1, 1, 1)], [file(1, 1, 1), file(1, 3, 3)])
        let json = String(decoding: try CatalogCoding.encoder().encode(report.newestWindow), as: UTF8.self)
        XCTAssertEqual(
            json,
            #"{"from_backup":"S1","from_time":"2027-01-15T08:01:00.000Z","from_wal":"000000010000000000000001","#
                + #""timeline":1,"to_time":"2027-01-15T08:01:00.000Z","to_wal":"000000010000000000000001"}"#)
        let gaps = String(decoding: try CatalogCoding.encoder().encode(report.gaps), as: UTF8.self)
        XCTAssertEqual(
            gaps, #"[{"first":"000000010000000000000002","last":"000000010000000000000002","segments":1,"timeline":1}]"#
        )
    }

    // MARK: RPO exposure

    func testExposureAgainstTheObjective() {
        let end = t0
        let ok = RPOExposure.evaluate(
            newestWindowEnd: end, newestStandaloneBackup: nil, now: end.addingTimeInterval(192), objective: 900)
        XCTAssertEqual(ok.exposureSeconds, 192)
        XCTAssertTrue(ok.met)
        XCTAssertEqual(ok.source, .walArchive)
        let late = RPOExposure.evaluate(
            newestWindowEnd: end, newestStandaloneBackup: nil, now: end.addingTimeInterval(7200), objective: 3600)
        XCTAssertFalse(late.met)
        // A newer logical backup is a newer recoverable point; an older one is not.
        let logical = RPOExposure.evaluate(
            newestWindowEnd: end, newestStandaloneBackup: end.addingTimeInterval(100),
            now: end.addingTimeInterval(200), objective: 900)
        XCTAssertEqual(logical.source, .backup)
        XCTAssertEqual(logical.exposureSeconds, 100)
        XCTAssertEqual(
            RPOExposure.evaluate(
                newestWindowEnd: end, newestStandaloneBackup: end.addingTimeInterval(-100),
                now: end, objective: 900
            ).source, .walArchive)
        let nothing = RPOExposure.evaluate(newestWindowEnd: nil, newestStandaloneBackup: nil, now: end, objective: 900)
        XCTAssertNil(nothing.newestRecoverablePoint)
        XCTAssertFalse(nothing.met)
        // A point in the future (clock skew) is no exposure, not a negative one.
        XCTAssertEqual(
            RPOExposure.evaluate(
                newestWindowEnd: end, newestStandaloneBackup: nil, now: end.addingTimeInterval(-5), objective: 1
            ).exposureSeconds, 0)
    }

    func testDurations() {
        XCTAssertEqual(RPOExposure.parseDuration("15m"), 900)
        XCTAssertEqual(RPOExposure.parseDuration("1h"), 3600)
        XCTAssertEqual(RPOExposure.parseDuration("1h30m"), 5400)
        XCTAssertEqual(RPOExposure.parseDuration("90s"), 90)
        XCTAssertEqual(RPOExposure.parseDuration("2d"), 172_800)
        for bad in ["", "15", "m", "15x", "1.5h", "-5m", "h1"] { XCTAssertNil(RPOExposure.parseDuration(bad), bad) }
        XCTAssertEqual(RPOExposure.formatDuration(192), "3m12s")
        XCTAssertEqual(RPOExposure.formatDuration(900), "15m")
        XCTAssertEqual(RPOExposure.formatDuration(3600), "1h")
        XCTAssertEqual(RPOExposure.formatDuration(7500), "2h05m")
        XCTAssertEqual(RPOExposure.formatDuration(45.9), "45s")
        XCTAssertEqual(RPOExposure.formatDuration(90_000), "1d01h")
    }
    // MARK: timelines

    func testTimelineBranchParsesTheLastLineOfAHistoryFile() {
        let text = "1\t0/E006598\tbefore 2026-11-21 22:18:25+00\n\n2\t0/12000000\tno recovery target specified\n"
        XCTAssertEqual(
            TimelineBranch(timeline: 3, historyText: text),
            TimelineBranch(timeline: 3, parent: 2, switchPoint: LSN(0x1200_0000)))
        XCTAssertNil(TimelineBranch(timeline: 2, historyText: ""))
        XCTAssertNil(TimelineBranch(timeline: 2, historyText: "junk\n"))
        XCTAssertNil(TimelineBranch(timeline: 2, historyText: "2\t0/1\tparent not older than the child\n"))
    }

    func testChildTimelineContinuesTheParentWindowThroughItsHistory() {
        // Timeline 1: snapshot 4…5, segments 3…9. Timeline 2 branched at 0/7006598 (segment 7), segments 7…10.
        let files =
            (3...9).map { file(1, UInt64($0), Double($0)) } + (7...10).map { file(2, UInt64($0), 20 + Double($0)) }
        let branch = TimelineBranch(timeline: 2, parent: 1, switchPoint: LSN(7 << 24 | 0x6598))
        let report = RecoveryWindowReport.compute(
            snapshots: [snapshot("S1", 1, 4, 5, 5.5)], archived: files,
            segmentSize: Self.size, branches: [branch])
        XCTAssertEqual(
            report.newestWindow,
            RecoverableWindow(
                timeline: 2, fromBackup: "S1", fromTime: t0.addingTimeInterval(330),
                fromWal: name(1, 5), toWal: name(2, 10), toTime: t0.addingTimeInterval(30 * 60)))
        XCTAssertEqual(report.windows.count, 2, "timeline 1 keeps its own window")
        // Without the history file the child is unconnected; a switch after the parent's WAL ends is unreachable.
        XCTAssertEqual(compute([snapshot("S1", 1, 4, 5, 5.5)], files).windows.map(\.timeline), [1])
        let late = TimelineBranch(timeline: 2, parent: 1, switchPoint: LSN(12 << 24))
        let unreachable = RecoveryWindowReport.compute(
            snapshots: [snapshot("S1", 1, 4, 5, 5.5)],
            archived: files + [file(2, 12, 40)], segmentSize: Self.size, branches: [late])
        XCTAssertEqual(unreachable.windows.map(\.timeline), [1])
    }
}
