// Golden files: whole plans for synthetic catalogs, rendered with PlanText. Each file was checked by hand
// against policies/README.md; a diff here is a behaviour change to review, not a file to regenerate blindly.
import Catalog
import Foundation
import Policy
import Retention
import XCTest

final class RetentionGoldenTests: XCTestCase {
    typealias F = Fixtures

    private func golden(
        _ name: String, _ policy: RetentionPolicy, _ input: PlanInput, now: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let plan = RetentionPlanner.plan(policy: policy, input: input, now: F.date(now))
        try F.assertGolden(PlanText.render(plan), name, file: file, line: line)
    }

    /// Three years of nightly snapshots with gaps on boundary days: 2024-12-31 and 2025-12-31 (the yearly rule
    /// falls back to Dec 30), 2026-11-30 (monthly falls back to Nov 29), 2026-12-27 (a Sunday: weekly W52
    /// falls back to Saturday) and 2026-12-29, 2026-12-31 (daily skips them).
    func testGFSOverThreeYearsOfNightlySnapshots() throws {
        let missing: Set<String> = ["2024-12-31", "2025-12-31", "2026-11-30", "2026-12-27", "2026-12-29", "2026-12-31"]
        var backups: [PlannedBackup] = []
        var day = F.date("2024-01-01T01:00:00Z")
        while day < F.date("2027-01-01T00:00:00Z") {
            let text = PlanText.timestamp(day)
            if !missing.contains(String(text.prefix(10))) { backups.append(F.backup(text)) }
            day.addTimeInterval(F.day)
        }
        let policy = F.policy("gfs", keep: [.snapshot: KeepRules(daily: 7, weekly: 4, monthly: 12, yearly: 3)])
        try golden("gfs_three_years", policy, F.input(backups), now: "2027-01-01T12:00:00Z")
    }

    /// Europe/Berlin: backups at 23:30 and 00:30 local time around the spring-forward (2026-03-29) and
    /// fall-back (2026-10-25) days land in their local days, which differ from their UTC days.
    func testDailyBucketsFollowTheTimeZoneAcrossDST() throws {
        let starts = [
            "2026-03-27T22:30:00Z",  // Mar 27 23:30 CET
            "2026-03-28T22:30:00Z",  // Mar 28 23:30 CET
            "2026-03-28T23:30:00Z",  // Mar 29 00:30 CET (UTC day: Mar 28)
            "2026-03-29T21:30:00Z",  // Mar 29 23:30 CEST
            "2026-03-29T22:30:00Z",  // Mar 30 00:30 CEST (UTC day: Mar 29)
            "2026-10-24T21:30:00Z",  // Oct 24 23:30 CEST
            "2026-10-24T22:30:00Z",  // Oct 25 00:30 CEST (UTC day: Oct 24)
            "2026-10-25T22:30:00Z",  // Oct 25 23:30 CET
            "2026-10-25T23:30:00Z",  // Oct 26 00:30 CET (UTC day: Oct 25)
        ]
        let backups = starts.map { F.backup($0) }
        let policy = F.policy("berlin", zone: "Europe/Berlin", keep: [.snapshot: KeepRules(daily: 6)])
        try golden("dst_europe_berlin", policy, F.input(backups), now: "2026-10-28T12:00:00Z")
        // The same catalog cut in UTC days keeps different backups.
        let utc = F.policy("utc", keep: [.snapshot: KeepRules(daily: 6)])
        try golden("dst_same_catalog_utc", utc, F.input(backups), now: "2026-10-28T12:00:00Z")
    }

    /// Feb 29 is its own day in a leap year; monthly and yearly buckets around it; ISO weeks at year ends
    /// (2020-W53, 2024-12-30 in 2025-W01, 2026-W53 reaching into 2027).
    func testLeapDayAndISOWeeksAtYearBoundaries() throws {
        let starts = [
            "2020-12-31T01:00:00Z", "2021-01-03T01:00:00Z", "2021-01-04T01:00:00Z",
            "2024-02-28T01:00:00Z", "2024-02-29T01:00:00Z", "2024-03-01T01:00:00Z",
            "2024-12-29T01:00:00Z", "2024-12-30T01:00:00Z", "2025-01-05T01:00:00Z",
            "2026-12-28T01:00:00Z", "2027-01-01T01:00:00Z", "2027-01-03T01:00:00Z", "2027-01-04T01:00:00Z",
        ]
        let policy = F.policy("calendar", keep: [.logical: KeepRules(weekly: 7, monthly: 3)])
        try golden(
            "leap_day_and_iso_weeks", policy, F.input(starts.map { F.backup($0, .logical) }),
            now: "2027-01-10T00:00:00Z")
        let leap = F.policy("leap", keep: [.logical: KeepRules(daily: 2, yearly: 2)])
        let leapDays = ["2024-02-28T01:00:00Z", "2024-02-29T01:00:00Z", "2024-03-01T01:00:00Z", "2023-03-01T01:00:00Z"]
        try golden(
            "leap_day_daily", leap, F.input(leapDays.map { F.backup($0, .logical) }), now: "2024-03-01T12:00:00Z")
    }

    func testEmptyCatalog() throws {
        try golden(
            "empty", F.policy("empty", keep: [.snapshot: KeepRules(daily: 7)], pitr: 7 * F.day), F.input([]),
            now: "2026-01-01T00:00:00Z")
    }

    /// The only rule (`within 7d`) would expire it, but it is the newest complete backup.
    func testSingleOldBackupIsKeptAsNewest() throws {
        let policy = F.policy("single", keep: [.snapshot: KeepRules(within: 7 * F.day)])
        try golden(
            "single_old_backup", policy, F.input([F.backup("2020-05-01T03:00:00Z")]), now: "2027-01-01T00:00:00Z")
    }

    /// Pins (indefinite, until a past and a future time), leftovers of failed runs (old, and young enough to be
    /// running), min_age, Object Lock, a backup after the plan time, and a type without keep rules.
    func testPinsLeftoversMinAgeAndObjectLock() throws {
        var pinned = F.backup("2026-01-10T02:00:00Z", .logical)
        pinned.pinned = true
        var pastPin = F.backup("2026-02-10T02:00:00Z", .logical)
        pastPin.keepUntil = F.date("2026-03-01T00:00:00Z")
        var futurePin = F.backup("2026-03-10T02:00:00Z", .logical)
        futurePin.keepUntil = F.date("2027-01-01T00:00:00Z")
        var locked = F.backup("2026-05-25T02:00:00Z", .logical)
        locked.lockedUntil = F.date("2026-06-05T02:00:00Z")
        var oldLeftover = F.backup("2026-05-20T02:00:00Z", .logical, suffix: "ff")
        oldLeftover.complete = false
        oldLeftover.finishedAt = nil
        var runningLeftover = F.backup("2026-06-01T06:00:00Z", .logical, suffix: "ff")
        runningLeftover.complete = false
        runningLeftover.finishedAt = nil
        let backups = [
            pinned, pastPin, futurePin, locked, oldLeftover, runningLeftover,
            F.backup("2026-05-28T02:00:00Z", .logical), F.backup("2026-05-29T02:00:00Z", .logical),
            F.backup("2026-05-31T02:00:00Z", .logical), F.backup("2026-06-01T02:00:00Z", .logical),
            F.backup("2026-06-02T02:00:00Z", .logical),  // after the plan time
            F.backup("2026-04-01T02:00:00Z", .snapshot), F.backup("2026-05-01T02:00:00Z", .snapshot),
        ]
        let policy = F.policy("safety", keep: [.logical: KeepRules(last: 1)], minAge: 2 * F.day, minComplete: 2)
        try golden("pins_leftovers_min_age_lock", policy, F.input(backups), now: "2026-06-01T12:00:00Z")
    }

    // MARK: - WAL

    /// Snapshots on timeline 1 and 2 (promotion at segment 0x38), WAL on both, a history file, a backup
    /// history file, an unparsable name; the PITR window anchors at snapshot C (the newest finished before the
    /// window opened).
    static func timelineCatalog() -> PlanInput {
        func snapshot(_ start: String, _ timeline: UInt32, _ from: Int, _ to: Int, pinned: Bool = false)
            -> PlannedBackup
        {
            var backup = F.backup(start)
            (backup.timeline, backup.startWal, backup.stopWal) = (timeline, F.wal(timeline, from), F.wal(timeline, to))
            backup.pinned = pinned
            return backup
        }
        let backups = [
            snapshot("2026-06-01T00:00:00Z", 1, 0x10, 0x11),  // A: expired (last 2, not pinned)
            snapshot("2026-06-05T00:00:00Z", 1, 0x20, 0x21, pinned: true),  // B: pinned
            snapshot("2026-06-07T00:00:00Z", 1, 0x30, 0x31),  // C
            snapshot("2026-06-09T00:00:00Z", 2, 0x40, 0x41),  // D (timeline 2)
        ]
        var wal: [PlannedWALFile] = []
        func add(_ name: String, _ archived: String) {
            wal.append(PlannedWALFile(name: name, archivedAt: F.date(archived), size: 16 << 20))
        }
        for n in 0x10...0x37 {  // timeline 1: 0x10 on 06-01 00:00, one segment every 3 hours
            add(
                F.wal(1, n),
                PlanText.timestamp(F.date("2026-06-01T00:00:00Z").addingTimeInterval(Double(n - 0x10) * 3 * 3600)))
        }
        add(F.wal(1, 0x20) + ".00000028.backup", "2026-06-05T00:10:00Z")
        add(F.wal(1, 0x38) + ".partial", "2026-06-08T00:00:00Z")
        add("00000002.history", "2026-06-08T00:00:00Z")
        for n in 0x38...0x45 {  // timeline 2: one segment every 4 hours from the promotion
            add(
                F.wal(2, n),
                PlanText.timestamp(F.date("2026-06-08T00:00:00Z").addingTimeInterval(Double(n - 0x38) * 4 * 3600)))
        }
        add("archive_status.tmp", "2026-06-03T00:00:00Z")
        return F.input(backups, wal: wal.reversed())
    }

    func testTimelinesWithPITRWindow() throws {
        let policy = F.policy("timelines", keep: [.snapshot: KeepRules(last: 2)], pitr: 2 * F.day)
        try golden("timelines_pitr_window", policy, Self.timelineCatalog(), now: "2026-06-10T12:00:00Z")
    }

    /// Without a PITR window the anchor is the oldest kept snapshot (B).
    func testTimelinesWithoutPITRWindow() throws {
        let policy = F.policy("timelines", keep: [.snapshot: KeepRules(last: 2)])
        try golden("timelines_no_pitr_window", policy, Self.timelineCatalog(), now: "2026-06-10T12:00:00Z")
    }

    /// Only logical backups: WAL is kept for the PITR window (1d) or min_age (2d), older WAL expires.
    func testWALWithoutSnapshots() throws {
        var wal: [PlannedWALFile] = []
        for n in 1...12 {
            wal.append(
                PlannedWALFile(
                    name: F.wal(1, n),
                    archivedAt: F.date("2026-06-07T12:00:00Z").addingTimeInterval(Double(n) * 12 * 3600), size: 100))
        }
        let input = F.input([F.backup("2026-06-12T00:00:00Z", .logical)], wal: wal)
        try golden(
            "wal_without_snapshots", F.policy("wal", minAge: 2 * F.day, pitr: F.day), input, now: "2026-06-13T12:00:00Z"
        )
        try golden(
            "wal_without_snapshots_no_pitr", F.policy("wal", minAge: 2 * F.day), input, now: "2026-06-13T12:00:00Z")
    }

    // MARK: - tiering

    /// Snapshots on the 1st and 15th of each month; monthly ones move to GLACIER after 8 days, anything older
    /// than 30 days to STANDARD_IA; a backup already in DEEP_ARCHIVE does not move back to GLACIER, one in
    /// GLACIER stays; logical backups follow only the rule without `types`.
    static func tieringCatalog(storageClasses: Bool) -> PlanInput {
        var backups: [PlannedBackup] = []
        for month in 1...12 {
            for day in ["01", "15"] {
                var backup = F.backup("2026-\(month < 10 ? "0" : "")\(month)-\(day)T02:00:00Z")
                backup.storageClass = storageClasses ? "STANDARD" : nil
                backups.append(backup)
            }
        }
        backups[4].storageClass = "DEEP_ARCHIVE"  // 2026-03-01: the oldest monthly in March is 03-15, so 03-01 expires
        backups[5].storageClass = "DEEP_ARCHIVE"  // 2026-03-15: kept monthly, already colder than GLACIER
        backups[9].storageClass = "GLACIER"  // 2026-05-15: kept monthly, already GLACIER
        backups.append(F.backup("2026-11-10T03:00:00Z", .logical))  // 40 days old: STANDARD_IA
        backups.append(F.backup("2026-12-10T03:00:00Z", .logical))  // 10 days old: stays
        return F.input(backups, storageClasses: storageClasses)
    }

    static let tieringPolicy = F.policy(
        "tiering", keep: [.snapshot: KeepRules(daily: 3, monthly: 12), .logical: KeepRules(last: 2)],
        tiering: [
            TieringRule(after: 30 * F.day, storageClass: "STANDARD_IA"),
            TieringRule(after: 8 * F.day, storageClass: "GLACIER", keptBy: [.monthly], types: [.snapshot]),
        ])

    func testTieringMovesMonthlySnapshotsToGlacier() throws {
        try golden(
            "tiering", Self.tieringPolicy, Self.tieringCatalog(storageClasses: true), now: "2026-12-20T00:00:00Z")
    }

    func testNoTransitionsWithoutStorageClasses() throws {
        try golden(
            "tiering_unsupported", Self.tieringPolicy, Self.tieringCatalog(storageClasses: false),
            now: "2026-12-20T00:00:00Z")
    }
}
