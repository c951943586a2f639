// Incremental chains through the built binary (docs/format.md §6.5, policies/README.md): a real chain full →
// incremental → incremental on the scratch PostgreSQL is listed with its types and parents, verified link by
// link, kept whole by prune while its newest point is kept, restored by a drill of `latest` (the evidence records
// the chain), reported as broken — not deleted — once a link is gone, and deleted newest first once retention
// lets it go.
import Foundation
import PGClient
import XCTest

final class IncrementalChainTests: XCTestCase {
    static let policy = """
        name: chains
        safety: { min_age: 0s, min_complete: 1 }
        keep:
          snapshot: { last: 1 }
        """

    func testAChainIsListedVerifiedKeptDrilledAndPrunedWhole() throws {
        let env = try TestEnvironment.require()
        let scenario = try archivingScenario(env, name: "chain", ArchivingOptions(snapshot: false))
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        try workspace.writePolicy(Self.policy)
        try admin.execute("INSERT INTO \(table) SELECT i, 'full' FROM generate_series(1, 2000) AS i")
        let full = try snapshot(workspace, "--full")
        try admin.execute("UPDATE \(table) SET batch = 'first' WHERE id <= 20")
        let first = try snapshot(workspace, "--incremental")
        try admin.execute("INSERT INTO \(table) SELECT i, 'second' FROM generate_series(2001, 2100) AS i")
        let second = try snapshot(workspace, "--incremental")

        // list: types, parents, chain lengths.
        let listed = try workspace.json(try workspace.lifeboat(["list", "--json"]))["backups"] as? [[String: Any]]
        XCTAssertEqual(listed?.map { $0["type"] as? String }, ["full", "incremental", "incremental"])
        XCTAssertEqual(listed?.map { $0["parent"] as? String }, [nil, full, first])
        XCTAssertEqual(listed?.map { $0["chain_length"] as? Int }, [1, 2, 3])

        // verify of the newest reads all three backups and authenticates the chain.
        let verified = try workspace.lifeboat(["verify", second, "--json"])
        XCTAssertEqual(verified.status, 0, verified.output)
        let checks = try workspace.json(verified)["checks"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(checks.compactMap { $0["backup"] as? String }), [full, first, second])
        XCTAssertTrue(checks.contains { $0["object"] as? String == "chain" && $0["ok"] as? Bool == true })

        // prune keeps the whole chain of the one point `last 1` keeps, and the WAL from its full's start.
        let plan = try workspace.json(try workspace.lifeboat(["prune", "--dry-run", "--json"]))["plan"]
        let decisions = (plan as? [String: Any])?["backups"] as? [[String: Any]] ?? []
        XCTAssertEqual(decisions.map { $0["action"] as? String }, ["keep", "keep", "keep"], "\(decisions)")
        XCTAssertEqual(decisions.first?["reasons"] as? [String], ["needed by incremental \(second)"])
        let text = try workspace.lifeboat(["prune", "--dry-run"])
        XCTAssertTrue(text.stdout.contains("\(full) (keep) → \(first) (keep) → \(second) (keep)"), text.stdout)

        // A drill of `latest` restores the chain.
        try drillRestoresTheChain(scenario, full: full, first: first, second: second)

        // A link gone: the newest incremental is listed as not restorable, verify --all fails naming it, and prune
        // reports it rather than deleting it.
        let hidden = workspace.repository + "/backups/main/\(first)/manifest.lbx"
        try FileManager.default.moveItem(atPath: hidden, toPath: hidden + ".aside")
        let list = try workspace.lifeboat(["list"])
        XCTAssertTrue(list.stdout.contains("not restorable: \(second): its chain is broken"), list.output)
        let all = try workspace.lifeboat(["verify", "--all"])
        XCTAssertEqual(all.status, 4, all.output)
        XCTAssertTrue(all.stderr.contains("broken chain: incremental \(second)"), all.stderr)
        let broken = try workspace.json(try workspace.lifeboat(["prune", "--dry-run", "--json"]))["plan"]
        let orphan = ((broken as? [String: Any])?["backups"] as? [[String: Any]])?.first {
            $0["id"] as? String == second
        }
        XCTAssertEqual(orphan?["action"] as? String, "keep", "\(orphan ?? [:])")
        XCTAssertTrue((orphan?["reasons"] as? [String])?.first?.hasPrefix("not restorable: ") == true)
        try FileManager.default.moveItem(atPath: hidden + ".aside", toPath: hidden)

        // A new full: the chain's last point is no longer kept, so the whole chain goes.
        let newest = try snapshot(workspace, "--full")
        let pruned = try workspace.lifeboat(["prune", "--json"])
        XCTAssertEqual(pruned.status, 0, pruned.output)
        let result = (try workspace.json(pruned)["result"] as? [String: Any])?["deleted_backups"] as? [String]
        XCTAssertEqual(result, [second, first, full], "newest first: no incremental outlives its parent")
        let remaining = try workspace.json(try workspace.lifeboat(["list", "--json"]))["backups"] as? [[String: Any]]
        XCTAssertEqual(remaining?.compactMap { $0["id"] as? String }, [newest])
    }

    func drillRestoresTheChain(_ scenario: ArchivingScenario, full: String, first: String, second: String) throws {
        let workspace = scenario.workspace
        // Some WAL after the last snapshot's own switch, so that this switch completes a segment to archive.
        try scenario.admin.execute("UPDATE \(scenario.table) SET batch = batch WHERE id = 1")
        try waitUntilArchived(scenario.admin, try scenario.switchWAL())
        let drill = try workspace.writeDrill(
            "chain",
            """
            restore: { type: snapshot }
            checks:
              sql:
                - { name: rows, query: "SELECT count(*) FROM \(scenario.table)", expect: "2100" }
                - { name: first, query: "SELECT count(*) FROM \(scenario.table) WHERE batch = 'first'", expect: "20" }
              amcheck: true
            """)
        let run = try runDrillAsServerUser(workspace, drill)
        XCTAssertEqual(run.status, 0, run.output)
        let evidence = try workspace.json(run)
        XCTAssertEqual(evidence["verdict"] as? String, "passed", run.stdout)
        let backup = evidence["backup"] as? [String: Any]
        XCTAssertEqual(backup?["id"] as? String, second)
        XCTAssertEqual(backup?["type"] as? String, "incremental")
        XCTAssertEqual(backup?["chain"] as? [String], [full, first])
    }

    /// A second after the previous one: backup ids order by start second (then a random suffix), and both
    /// `list` and the choice of an incremental's parent (the newest snapshot) go by id.
    func snapshot(_ workspace: Workspace, _ type: String) throws -> String {
        Thread.sleep(forTimeInterval: 1.05)
        let result = try workspace.lifeboat(["backup", "--type", "snapshot", type, "--json"])
        XCTAssertEqual(result.status, 0, result.output)
        return try XCTUnwrap(try workspace.json(result)["id"] as? String, result.output)
    }
}
