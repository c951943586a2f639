// The subtle cases, asserted one by one: calendar buckets in a DST zone, leap days, ISO week 53, the PITR
// anchor, the newest complete backup surviving every rule, and retainedUntil.
import Catalog
import Foundation
import Policy
import XCTest

@testable import Retention

final class RetentionPlannerTests: XCTestCase {
    typealias F = Fixtures

    private func bucket(_ period: CalendarPeriod, _ date: String, zone: String = "UTC") -> CalendarBucket {
        CalendarBucket(
            period: period, date: F.date(date), calendar: CalendarBucket.calendar(in: TimeZone(identifier: zone)!))
    }

    private func decision(_ plan: RetentionPlan, _ id: String, file: StaticString = #filePath, line: UInt = #line)
        -> BackupDecision?
    {
        let found = plan.backups.first { $0.id.hasPrefix(id) }
        XCTAssertNotNil(found, "no decision for \(id)", file: file, line: line)
        return found
    }

    func testDailyBucketsAcrossDSTChangesInBerlin() {
        // 00:30 local on the spring-forward day is 23:30 UTC the day before.
        XCTAssertEqual(bucket(.daily, "2026-03-28T23:30:00Z", zone: "Europe/Berlin").label, "2026-03-29")
        XCTAssertEqual(bucket(.daily, "2026-03-28T22:59:59Z", zone: "Europe/Berlin").label, "2026-03-28")
        // The spring-forward day is 23 hours long, the fall-back day 25.
        let spring = bucket(.daily, "2026-03-29T12:00:00Z", zone: "Europe/Berlin")
        XCTAssertEqual(spring.start, F.date("2026-03-28T23:00:00Z"))
        XCTAssertEqual(
            spring.start(after: 1, calendar: CalendarBucket.calendar(in: TimeZone(identifier: "Europe/Berlin")!)),
            F.date("2026-03-29T22:00:00Z"))
        let autumn = bucket(.daily, "2026-10-25T12:00:00Z", zone: "Europe/Berlin")
        XCTAssertEqual(autumn.start, F.date("2026-10-24T22:00:00Z"))
        XCTAssertEqual(bucket(.daily, "2026-10-25T22:59:59Z", zone: "Europe/Berlin").label, "2026-10-25")
        XCTAssertEqual(bucket(.daily, "2026-10-25T23:00:00Z", zone: "Europe/Berlin").label, "2026-10-26")
        // New York: 23:30 EST on 2026-03-07 is 04:30 UTC on the 8th.
        XCTAssertEqual(bucket(.daily, "2026-03-08T04:30:00Z", zone: "America/New_York").label, "2026-03-07")
        XCTAssertEqual(bucket(.hourly, "2026-03-08T07:15:00Z", zone: "America/New_York").label, "2026-03-08 03:00")
    }

    func testLeapDayIsItsOwnDailyBucket() {
        XCTAssertEqual(bucket(.daily, "2024-02-29T23:59:59Z").label, "2024-02-29")
        XCTAssertEqual(bucket(.monthly, "2024-02-29T01:00:00Z").label, "2024-02")
        let calendar = CalendarBucket.calendar(in: TimeZone(identifier: "UTC")!)
        XCTAssertEqual(
            bucket(.daily, "2024-02-28T10:00:00Z").start(after: 1, calendar: calendar), F.date("2024-02-29T00:00:00Z"))
        XCTAssertEqual(
            bucket(.monthly, "2024-02-29T10:00:00Z").start(after: 1, calendar: calendar), F.date("2024-03-01T00:00:00Z")
        )
    }

    func testISOWeeksAtYearBoundaries() {
        XCTAssertEqual(bucket(.weekly, "2027-01-01T12:00:00Z").label, "2026-W53")
        XCTAssertEqual(bucket(.weekly, "2027-01-03T23:00:00Z").label, "2026-W53")
        XCTAssertEqual(bucket(.weekly, "2027-01-04T00:00:00Z").label, "2027-W01")
        XCTAssertEqual(bucket(.weekly, "2021-01-03T12:00:00Z").label, "2020-W53")
        XCTAssertEqual(bucket(.weekly, "2024-12-30T12:00:00Z").label, "2025-W01")
        XCTAssertEqual(
            bucket(.weekly, "2027-01-01T12:00:00Z").start, F.date("2026-12-28T00:00:00Z"), "weeks start on Monday")
        XCTAssertEqual(bucket(.yearly, "2027-01-01T12:00:00Z").label, "2027", "the yearly rule uses calendar years")
    }

    func testPITRAnchorIsNewestSnapshotFinishedBeforeTheWindow() {
        let input = RetentionGoldenTests.timelineCatalog()
        let now = F.date("2026-06-10T12:00:00Z")
        let withWindow = RetentionPlanner.plan(
            policy: F.policy(keep: [.snapshot: KeepRules(last: 2)], pitr: 2 * F.day), input: input, now: now)
        XCTAssertTrue(
            withWindow.wal.contains { $0.reason == "point-in-time recovery from snapshot 20260607T000000Z-aa" })
        XCTAssertFalse(withWindow.expiredWAL.contains(F.wal(1, 0x20)), "snapshot B's WAL stays")
        XCTAssertTrue(withWindow.expiredWAL.contains(F.wal(1, 0x22)), "WAL between B and the anchor goes")
        // A window longer than every snapshot's age: no snapshot finished before it opened → the oldest kept.
        let wide = RetentionPlanner.plan(
            policy: F.policy(keep: [.snapshot: KeepRules(last: 2)], pitr: 30 * F.day), input: input, now: now)
        XCTAssertTrue(wide.wal.contains { $0.reason == "point-in-time recovery from snapshot 20260605T000000Z-aa" })
        XCTAssertEqual(wide.expiredWAL, (0x10...0x1F).map { F.wal(1, $0) })
    }

    func testNewestCompleteBackupSurvivesEveryRule() {
        var incomplete = F.backup("2026-01-02T00:00:00Z", .snapshot, suffix: "ff")
        incomplete.complete = false
        let old = F.backup("2025-01-01T00:00:00Z")
        let policy = F.policy(keep: [.snapshot: KeepRules(within: 3600)], minAge: 0)
        let plan = RetentionPlanner.plan(
            policy: policy, input: F.input([old, incomplete]), now: F.date("2026-06-01T00:00:00Z"))
        XCTAssertEqual(decision(plan, "20250101")?.action, .keep)
        XCTAssertEqual(decision(plan, "20250101")?.reasons, ["newest complete snapshot backup"])
        XCTAssertEqual(decision(plan, "20260102")?.action, .expire, "an incomplete backup never counts as the newest")
    }

    func testRetainedUntil() {
        var pinned = F.backup("2026-05-01T00:00:00Z", .logical)
        pinned.pinned = true
        pinned.lockedUntil = F.date("2026-07-01T00:00:00Z")
        var locked = F.backup("2026-05-20T05:00:00Z", .logical)
        locked.lockedUntil = F.date("2026-09-01T00:00:00Z")
        let backups = [
            pinned, locked, F.backup("2026-05-30T05:00:00Z", .logical), F.backup("2026-05-31T05:00:00Z", .logical),
            F.backup("2026-05-31T04:00:00Z", .snapshot),
        ]
        let policy = F.policy(keep: [.logical: KeepRules(last: 5, daily: 2, within: 3 * F.day)])
        let plan = RetentionPlanner.plan(policy: policy, input: F.input(backups), now: F.date("2026-06-01T00:00:00Z"))
        XCTAssertNil(decision(plan, "20260501")?.retainedUntil, "pinned indefinitely")
        XCTAssertEqual(decision(plan, "20260520")?.retainedUntil, F.date("2026-09-01T00:00:00Z"), "Object Lock")
        // daily rank 2 of 2: bucket 2026-05-30 + 1 day; within: +3 days wins.
        XCTAssertEqual(decision(plan, "20260530")?.retainedUntil, F.date("2026-06-02T05:00:00Z"))
        // daily rank 1 of 2: bucket 2026-05-31 + 2 days = 06-02 00:00; within: 06-03 05:00; min_age 06-01 05:00.
        XCTAssertEqual(decision(plan, "20260531T05")?.retainedUntil, F.date("2026-06-03T05:00:00Z"))
        XCTAssertNil(decision(plan, "20260531T04")?.retainedUntil, "no keep rules for snapshots: kept indefinitely")
        // Count rules alone contribute nothing.
        let lastOnly = RetentionPlanner.plan(
            policy: F.policy(keep: [.logical: KeepRules(last: 5)]), input: F.input(backups),
            now: F.date("2026-06-10T00:00:00Z"))
        XCTAssertNil(decision(lastOnly, "20260530")?.retainedUntil)
    }

    func testNoTransitionToAWarmerClassAndNoneWithoutStorageClasses() {
        var deep = F.backup("2026-01-15T00:00:00Z")
        deep.storageClass = "DEEP_ARCHIVE"
        let fresh = F.backup("2026-05-30T00:00:00Z")
        let policy = F.policy(
            keep: [.snapshot: KeepRules(monthly: 12)],
            tiering: [TieringRule(after: 8 * F.day, storageClass: "GLACIER", keptBy: [.monthly])])
        let now = F.date("2026-06-01T00:00:00Z")
        let plan = RetentionPlanner.plan(policy: policy, input: F.input([deep, fresh]), now: now)
        XCTAssertEqual(decision(plan, "20260115")?.action, .keep)
        XCTAssertEqual(decision(plan, "20260530")?.action, .keep, "younger than after")
        let older = RetentionPlanner.plan(
            policy: policy, input: F.input([deep, fresh]), now: F.date("2026-06-08T00:00:00Z"))
        XCTAssertEqual(decision(older, "20260530")?.transitionTo, "GLACIER")
        XCTAssertEqual(decision(older, "20260530")?.storageClass, "STANDARD", "nil counts as STANDARD")
        let local = RetentionPlanner.plan(
            policy: policy, input: F.input([deep, fresh], storageClasses: false), now: F.date("2026-06-08T00:00:00Z"))
        XCTAssertTrue(local.transitions.isEmpty)
    }
}

/// The plan is stored in prune records and printed with --json through CatalogCoding's snake_case coders.
final class RetentionPlanCodingTests: XCTestCase {
    func testPlanRoundTripsThroughSnakeCaseJSON() throws {
        let plan = RetentionPlan(
            cluster: "main", policy: "p", now: Date(timeIntervalSince1970: 1_800_000_000),
            backups: [
                BackupDecision(
                    id: "20261121T000000Z-000001", kind: .snapshot,
                    startedAt: Date(timeIntervalSince1970: 1_799_000_000),
                    complete: true, action: .transition, reasons: ["monthly 2026-11"],
                    storageClass: "STANDARD", transitionTo: "GLACIER", storedBytes: 5)
            ],
            wal: [
                WALDecision(
                    timeline: 1, first: "000000010000000000000001", last: "000000010000000000000002",
                    files: 2, bytes: 10, action: .expire, reason: "r")
            ],
            expiredWAL: ["000000010000000000000001", "000000010000000000000002"])
        let data = try CatalogCoding.encoder().encode(plan)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"expired_wal\""))
        XCTAssertEqual(try CatalogCoding.decoder().decode(RetentionPlan.self, from: data), plan)
    }
}
