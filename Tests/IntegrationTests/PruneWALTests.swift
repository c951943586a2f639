// prune of a cluster that archives WAL, against the scratch PostgreSQL: with one snapshot kept and a short
// PITR window, the older snapshot and the WAL before the kept one's start go, everything from its start stays,
// `verify --wal` finds no gap, and the kept snapshot still restores and replays to the newest commit. `status`
// takes its objective from the policy.
import Foundation
import PGClient
import XCTest

final class PruneWALTests: XCTestCase {
    func testExpiredWALNeverIncludesWhatAKeptSnapshotNeeds() throws {
        let env = try TestEnvironment.require()
        let policy = """
            safety: { min_age: 0s }
            objectives: { rpo: 1h }
            keep: { snapshot: { last: 1 } }
            wal: { pitr_window: 1h }
            """
        let options = ArchivingOptions(
            table: "(id integer, batch text)",
            prepare: {
                try $0.initialize()
                try $0.writePolicy(policy)
            })
        let scenario = try archivingScenario(env, name: "prunewal", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)

        var last = ""
        func writeAndSwitch(_ batch: String) throws {
            try admin.execute("INSERT INTO \(table) SELECT generate_series(1, 100), '\(batch)'")
            last = try scenario.switchWAL()
        }
        try writeAndSwitch("A")
        try writeAndSwitch("B")
        Thread.sleep(forTimeInterval: 1.05)
        let second = try workspace.lifeboat(["backup", "--type", "snapshot", "--json"])
        XCTAssertEqual(second.status, 0, second.output)
        try writeAndSwitch("C")
        try writeAndSwitch("D")
        try waitUntilArchived(admin, last)
        let firstId = try scenario.snapshotID()
        let secondId = try XCTUnwrap(try workspace.json(second)["id"] as? String)
        let keptStart = try XCTUnwrap(
            (try workspace.json(try workspace.lifeboat(["show", secondId, "--json"]))["snapshot"] as? [String: Any])?[
                "start_wal"] as? String)

        let later = PruneTests.isoString(Date().addingTimeInterval(2 * 3600))
        let pruned = try workspace.lifeboat(["prune", "--now", later, "--json"])
        XCTAssertEqual(pruned.status, 0, pruned.output)
        let plan = try XCTUnwrap(try workspace.json(pruned)["plan"] as? [String: Any])
        let expired = try XCTUnwrap(plan["expired_wal"] as? [String])
        XCTAssertFalse(expired.isEmpty, "the older snapshot's WAL goes: \(pruned.stdout)")
        // Same timeline: name order is WAL order.
        XCTAssertTrue(
            expired.allSatisfy { $0.prefix(24) < keptStart },
            "nothing from \(keptStart) on (a .backup file goes with its segment): \(expired)")
        let remaining = try workspace.repositoryFiles().keys
        XCTAssertFalse(remaining.contains { $0.contains(firstId) })
        XCTAssertTrue(remaining.contains { $0.hasSuffix(keptStart + ".meta.lbx") })
        XCTAssertFalse(
            remaining.contains { key in expired.contains { (key as NSString).lastPathComponent.hasPrefix($0 + ".") } },
            "an expired file's record and objects are gone")

        let verified = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(verified.status, 0, "no gap after expiry: " + verified.output)
        let status = try workspace.json(try workspace.lifeboat(["status", "--json"]))
        XCTAssertEqual(status["objective_seconds"] as? Double, 3600)
        XCTAssertEqual(status["objective_source"] as? String, "policy retention")

        let restored = workspace.directory + "/restored"
        defer { stopServer(restored) }
        let port = try freePort()
        let restore = try workspace.lifeboat([
            "restore", "latest", "--data-dir", restored, "--start", "--port", String(port),
        ])
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertEqual(try batches(port: port, table: table), ["A": 100, "B": 100, "C": 100, "D": 100])
    }
}
