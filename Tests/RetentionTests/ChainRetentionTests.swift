// Incremental chains in the retention plan (docs/format.md §6.5, policies/README.md): restorable points are
// counted, chains a kept incremental needs are kept, broken chains are reported and left to retention, WAL is
// kept from the start of every kept chain, and a chain goes to an archival class whole or not at all.
import Catalog
import Foundation
import Policy
import XCTest

@testable import Retention

final class ChainRetentionTests: XCTestCase {
    typealias F = Fixtures

    /// A full snapshot at `start` followed by one incremental a day for `incrementals` days; snapshot n (0 = the
    /// full) of day d needs WAL segments 4d … 4d+1 on timeline 1, counting days from 2026-01-01.
    static func chain(_ start: String, incrementals: Int, suffix: String = "aa") -> [PlannedBackup] {
        var backups: [PlannedBackup] = []
        var ids: [String] = []
        for day in 0...incrementals {
            let started = F.date(start).addingTimeInterval(Double(day) * F.day)
            var backup = F.backup(PlanText.timestamp(started), suffix: suffix)
            let position = Int(started.timeIntervalSince(F.date("2026-01-01T00:00:00Z")) / F.day) * 4
            (backup.timeline, backup.startWal, backup.stopWal) = (1, F.wal(1, position), F.wal(1, position + 1))
            backup.chain = ids.isEmpty ? nil : ids
            ids.append(backup.id)
            backups.append(backup)
        }
        return backups
    }

    static func wal(from: String, days: Int) -> [PlannedWALFile] {
        (0..<(days * 4)).map { step in
            let archived = F.date(from).addingTimeInterval(Double(step) * F.day / 4)
            let position = Int(archived.timeIntervalSince(F.date("2026-01-01T00:00:00Z")) / F.day * 4)
            return PlannedWALFile(name: F.wal(1, position), archivedAt: archived, size: 16 << 20)
        }
    }

    private func decision(_ plan: RetentionPlan, _ prefix: String) throws -> BackupDecision {
        try XCTUnwrap(plan.backups.first { $0.id.hasPrefix(prefix) }, "no decision for \(prefix)")
    }

    /// Two weekly chains; `last 3` keeps three restorable points, all incrementals of the second chain, and with
    /// them its full and older incrementals; the first chain goes whole. A broken incremental newer than the
    /// oldest kept backup is kept and reported, an older one expires; WAL is kept from the kept chain's full.
    func testKeepsWhatKeptIncrementalsNeedAndReportsBrokenChains() throws {
        var backups =
            Self.chain("2026-06-07T01:00:00Z", incrementals: 6)
            + Self.chain(
                "2026-06-14T01:00:00Z", incrementals: 3)
        var orphan = F.backup("2026-06-17T13:00:00Z", suffix: "bb")  // its parent was deleted by hand
        orphan.chain = ["20260610T010000Z-zz"]
        var swapped = F.backup("2026-06-02T13:00:00Z", suffix: "cc")  // older than everything kept
        swapped.chain = ["20260601T010000Z-zz"]
        var forged = backups[8]  // the engine found its parent's manifest replaced
        forged.chainBroken = "the manifest of its parent '20260614T010000Z-aa' is not the one it was taken against"
        backups[8] = forged
        backups += [orphan, swapped]
        // PITR 5d: the anchor is 06-13, an incremental, so WAL is kept from its chain's full (06-07).
        let policy = F.policy("chains", keep: [.snapshot: KeepRules(last: 3)], pitr: 5 * F.day)
        let plan = RetentionPlanner.plan(
            policy: policy, input: F.input(backups, wal: Self.wal(from: "2026-06-01T00:00:00Z", days: 17)),
            now: F.date("2026-06-18T12:00:00Z"))
        try F.assertGolden(PlanText.render(plan), "incremental_chains")

        // Only restorable points are counted: the forged 06-15 takes no slot, nor do 06-16 and 06-17, whose chains
        // contain it, nor the orphan.
        XCTAssertEqual(try decision(plan, "20260615").reasons.first, "not restorable: " + forged.chainBroken!)
        XCTAssertTrue(try decision(plan, "20260616").reasons[0].hasPrefix("not restorable: its chain member"))
        // The newest restorable points are then the full of chain 2 and the end of chain 1.
        XCTAssertEqual(try decision(plan, "20260614").action, .keep)
        XCTAssertEqual(try decision(plan, "20260613").reasons.first, "last 3")
        XCTAssertEqual(try decision(plan, "20260612").reasons, ["last 3", "needed by incremental 20260613T010000Z-aa"])
        // Counted among the dependents: the incrementals the rules keep (06-12, 06-13), not those kept for them.
        XCTAssertEqual(
            try decision(plan, "20260607").reasons, ["needed by incremental 20260613T010000Z-aa and 1 more"])
        XCTAssertEqual(try decision(plan, "20260607").action, .keep)
        XCTAssertEqual(try decision(plan, "20260617T130000Z-bb").action, .keep)
        XCTAssertEqual(try decision(plan, "20260602T130000Z-cc").action, .expire)
        XCTAssertEqual(
            try decision(plan, "20260602T130000Z-cc").reasons.last, "older than every kept snapshot backup")
        // WAL from the start of the anchor's chain's full (segment 4 × 157 for 2026-06-07), gaps between the
        // chain's own spans included.
        XCTAssertEqual(plan.expiredWAL.last, F.wal(1, 4 * 157 - 1))
        XCTAssertFalse(plan.expiredWAL.contains(F.wal(1, 4 * 157 + 2)))
    }

    /// Without the chain rule the full of a kept incremental would expire: `last 1` keeps only the newest point.
    func testFullOfTheNewestIncrementalIsNeverExpired() throws {
        let backups = Self.chain("2026-06-14T01:00:00Z", incrementals: 2)
        let policy = F.policy("one", keep: [.snapshot: KeepRules(last: 1)], minAge: 0)
        let plan = RetentionPlanner.plan(policy: policy, input: F.input(backups), now: F.date("2026-06-30T00:00:00Z"))
        XCTAssertEqual(plan.expiredBackups.map(\.id), [], "every member of the kept chain stays")
        XCTAssertEqual(try decision(plan, "20260614").reasons, ["needed by incremental 20260616T010000Z-aa"])
        XCTAssertEqual(try decision(plan, "20260616").parent, "20260615T010000Z-aa")
    }

    /// retainedUntil of a member is at least its dependents': `verify --immutability` must not let its lock lapse
    /// while they are kept.
    func testChainMembersAreRetainedAsLongAsTheirDependents() throws {
        let backups = Self.chain("2026-06-14T01:00:00Z", incrementals: 2)
        let policy = F.policy("within", keep: [.snapshot: KeepRules(within: 3 * F.day)], minAge: 0)
        let plan = RetentionPlanner.plan(policy: policy, input: F.input(backups), now: F.date("2026-06-17T00:00:00Z"))
        let newest = try decision(plan, "20260616")
        XCTAssertEqual(newest.retainedUntil, F.date("2026-06-19T01:00:00Z"))
        XCTAssertEqual(try decision(plan, "20260614").retainedUntil, newest.retainedUntil)
    }

    /// April's monthly point is an incremental: its whole chain (the full and the incrementals before it) moves to
    /// GLACIER with it, since nothing kept in a readable class needs them.
    func testAWholeChainGoesToTheArchiveTogether() throws {
        let backups =
            Self.chain("2026-04-26T01:00:00Z", incrementals: 13) + Self.chain("2026-05-10T01:00:00Z", incrementals: 10)
        let plan = RetentionPlanner.plan(
            policy: Self.archivalPolicy, input: F.input(backups), now: F.date("2026-05-20T12:00:00Z"))
        for day in ["20260426", "20260427", "20260428", "20260429", "20260430"] {
            XCTAssertEqual(try decision(plan, day).transitionTo, "GLACIER", day)
        }
        XCTAssertTrue(try decision(plan, "20260426").reasons.contains("needed by incremental 20260430T010000Z-aa"))
        XCTAssertEqual(try decision(plan, "20260501").action, .expire)
    }

    /// One long chain: April's monthly incremental would go to GLACIER, but the daily points of May are
    /// incrementals of the same chain and stay in STANDARD, so nothing of it is archived.
    func testAChainMemberStaysReadableWhileAReadableIncrementalNeedsIt() throws {
        let backups = Self.chain("2026-04-26T01:00:00Z", incrementals: 24)
        let plan = RetentionPlanner.plan(
            policy: Self.archivalPolicy, input: F.input(backups), now: F.date("2026-05-20T12:00:00Z"))
        XCTAssertEqual(plan.transitions.map(\.id), [])
        let april = try decision(plan, "20260430")
        XCTAssertEqual(april.action, .keep)
        XCTAssertEqual(
            april.reasons.last,
            "tiering to GLACIER held back: incremental 20260520T010000Z-aa needs it and stays in STANDARD")
        XCTAssertFalse(april.reasons.contains { $0.hasPrefix("tiering: ") })
    }

    static var archivalPolicy: RetentionPolicy {
        F.policy(
            "archive", keep: [.snapshot: KeepRules(daily: 3, monthly: 2)],
            tiering: [TieringRule(after: 8 * F.day, storageClass: "GLACIER", keptBy: [.monthly], types: [.snapshot])])
    }

    func testBrokenChainsAreFoundFromTheInputAlone() {
        var backups = Self.chain("2026-06-14T01:00:00Z", incrementals: 3)
        backups.remove(at: 1)  // 06-15 deleted by hand: 06-16 and 06-17 lose a member
        let broken = ChainRetention.brokenChains(backups)
        XCTAssertEqual(Set(broken.keys), ["20260616T010000Z-aa", "20260617T010000Z-aa"])
        XCTAssertEqual(broken["20260616T010000Z-aa"], "its chain member '20260615T010000Z-aa' is not in the repository")
    }
}
