// prune, pin and unpin on a file:// repository through the binary: the plan a --dry-run --now T prints is the
// plan the real run at T applies; pins (at backup time, later, and undone) are honoured; leftovers of failed
// runs go; the newest backup stays; nothing is deleted before min_age; a bad policy is exit 2 naming the field.
import Foundation
import XCTest

final class PruneTests: XCTestCase {
    static let policy = """
        name: test-retention
        safety: { min_age: 1h, min_complete: 1 }
        keep:
          logical: { last: 2 }
        """

    func backupIDs(_ workspace: Workspace) throws -> [String] {
        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        return (listing["backups"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    }

    /// id → action of a prune --json outcome's plan.
    func actions(_ outcome: [String: Any]) -> [String: String] {
        let backups = (outcome["plan"] as? [String: Any])?["backups"] as? [[String: Any]] ?? []
        return Dictionary(
            uniqueKeysWithValues: backups.compactMap { entry in
                (entry["id"] as? String).map { ($0, entry["action"] as? String ?? "?") }
            })
    }

    func testDryRunAtTMatchesTheRealRunAtTAndPinsAreHonoured() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("prune")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 300)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)
        try workspace.writePolicy(Self.policy, database: source)

        // A second apart: backup ids order by start second, and "last 2" orders by start time.
        XCTAssertEqual(try workspace.lifeboat(["backup", "--pin"]).status, 0)
        for _ in 0..<3 {
            Thread.sleep(forTimeInterval: 1.05)
            XCTAssertEqual(try workspace.lifeboat(["backup"]).status, 0)
        }
        let ids = try backupIDs(workspace)
        XCTAssertEqual(ids.count, 4)
        // The first was pinned at backup time and is unpinned now; the second is pinned afterwards.
        XCTAssertEqual(try workspace.lifeboat(["unpin", ids[0]]).status, 0)
        let pinned = try workspace.lifeboat(["pin", ids[1]])
        XCTAssertEqual(pinned.status, 0, pinned.output)
        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        let pins = (listing["backups"] as? [[String: Any]])?.map { $0["pinned"] as? Bool ?? false }
        XCTAssertEqual(pins, [false, true, false, false])

        // A failed run's leftovers: a backup directory with an object and no manifest.
        let leftover = workspace.repository + "/backups/main/20200101T000000Z-00dead"
        try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: leftover + "/db-0001.tar.zst.lbx"))

        // Now: everything is younger than min_age, so only the leftover goes.
        let today = try workspace.json(try workspace.lifeboat(["prune", "--dry-run", "--json"]))
        XCTAssertEqual(Set(actions(today).filter { $0.value == "expire" }.keys), ["20200101T000000Z-00dead"])

        let later = Self.isoString(Date().addingTimeInterval(3 * 3600))
        let dryRun = try workspace.lifeboat(["prune", "--dry-run", "--now", later, "--json"])
        XCTAssertEqual(dryRun.status, 0, dryRun.output)
        let simulated = actions(try workspace.json(dryRun))
        XCTAssertEqual(
            simulated,
            [ids[0]: "expire", ids[1]: "keep", ids[2]: "keep", ids[3]: "keep", "20200101T000000Z-00dead": "expire"])
        XCTAssertEqual(try backupIDs(workspace), ids, "a dry run changes nothing")
        let text = try workspace.lifeboat(["prune", "--dry-run", "--now", later])
        XCTAssertTrue(text.stdout.contains("pinned"), text.stdout)
        XCTAssertTrue(text.stdout.contains("last 2"), text.stdout)

        let real = try workspace.lifeboat(["prune", "--now", later, "--json"])
        XCTAssertEqual(real.status, 0, real.output)
        let outcome = try workspace.json(real)
        XCTAssertEqual(actions(outcome), simulated, "the real run at T applies the plan the dry run at T printed")
        XCTAssertEqual(try backupIDs(workspace), Array(ids[1...]))
        let files = try workspace.repositoryFiles().keys
        XCTAssertFalse(
            files.contains { $0.contains(ids[0]) || $0.contains("00dead") }, "expired backups leave no object")
        XCTAssertEqual(files.filter { $0.hasPrefix("prune/main/") }.count, 1, "the run is recorded")
        let verified = try workspace.lifeboat(["verify", "--all"])
        XCTAssertEqual(verified.status, 0, "every kept backup is intact: " + verified.output)

        // Nothing left to do: a second run deletes nothing, and the newest backup survives any date.
        let secondRun = try workspace.lifeboat(["prune", "--now", later, "--json"])
        XCTAssertEqual(secondRun.status, 0, secondRun.output)
        let again = try workspace.json(secondRun)
        XCTAssertEqual(((again["result"] as? [String: Any])?["deleted_backups"] as? [String])?.count, 0)
        let future = try workspace.lifeboat(["prune", "--dry-run", "--now", "2040-01-01", "--json"])
        XCTAssertEqual(future.status, 0, future.output)
        let farFuture = try workspace.json(future)
        XCTAssertEqual(actions(farFuture)[ids[3]], "keep")
        XCTAssertEqual(actions(farFuture)[ids[1]], "keep", "pinned indefinitely")
    }

    func testPruneNeedsAValidPolicy() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.initialize()
        let none = try workspace.lifeboat(["prune", "--dry-run"])
        XCTAssertEqual(none.status, 2, none.output)
        XCTAssertTrue(none.stderr.contains("policy"), none.stderr)

        try workspace.writePolicy("keep:\n  logical: { last: 0 }\n", name: "bad.yml")
        let bad = try workspace.lifeboat(["prune", "--dry-run"])
        XCTAssertEqual(bad.status, 2, bad.output)
        XCTAssertTrue(bad.stderr.contains("keep.logical.last"), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("bad.yml"), bad.stderr)
    }

    static func isoString(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
