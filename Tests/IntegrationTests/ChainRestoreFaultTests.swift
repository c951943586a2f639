// A chain restore under a fault at each of its points (docs/faults.md): killed, terminated or failing anywhere, it
// never leaves a data directory that starts as if restored. Until every backup of the chain is applied the
// directory has no global/pg_control (no server starts it, whatever is added); recovery.signal comes last; a
// failure empties the directory; and the same restore with --clean then succeeds.
import Foundation
import PGClient
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class ChainRestoreFaultTests: XCTestCase {
    static let chainPoints = [
        "restore.chain.newest.after", "restore.chain.link.before", "restore.chain.file.after", "restore.control.before",
    ]

    func testAChainRestoreUnderAFaultNeverLeavesADirectoryThatStarts() throws {
        let env = try TestEnvironment.require()
        let scenario = try archivingScenario(
            env, name: "chainfaults", ArchivingOptions(table: IncrementalRestoreTests.table, snapshot: false))
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        try enableWALSummaries(admin)
        try admin.execute("INSERT INTO \(table) SELECT i, 'base', md5(i::text) FROM generate_series(1, 5000) AS i")
        _ = try chainSnapshot(workspace, incremental: false)
        try admin.execute("UPDATE \(table) SET batch = 'one' WHERE id % 10 = 0")
        _ = try chainSnapshot(workspace, incremental: true)
        try admin.execute("UPDATE \(table) SET batch = 'two' WHERE id % 15 = 0")
        _ = try chainSnapshot(workspace, incremental: true)
        try waitUntilArchived(admin, try scenario.switchWAL())

        let target = workspace.directory + "/faulted"
        var startsTried = 0
        let faulted = restoreScenario("chain restore (file)", workspace: workspace, target: target) {
            startsTried += 1
        }
        let required = ["restore.extract.before"] + Self.chainPoints + ["restore.recovery.before"]
        // Fast subset: every point killed; terminated and failing mid-stream of an older backup and at the end.
        let count = try FaultSuite.exercise(
            faulted, scratch: workspace.directory, actions: ["kill"], requiredPoints: required,
            only: { $0.hasPrefix("restore.") })
        let others = try FaultSuite.exercise(
            faulted, scratch: workspace.directory, actions: ["term", "eio"],
            only: { point in
                FaultSuite.full
                    ? point.hasPrefix("restore.")
                    : ["restore.chain.file.after", "restore.control.before"].contains(point)
            })
        XCTAssertGreaterThanOrEqual(count + others, 10)
        XCTAssertEqual(startsTried, 1)
    }

    /// `restore latest --data-dir TARGET --clean` under a fault, and what must hold after it. `startTried` is called
    /// each time a server is tried on the directory a restore killed just before pg_control.
    func restoreScenario(
        _ name: String, workspace: Workspace, target: String, startTried: @escaping () -> Void
    ) -> FaultScenario {
        FaultScenario(
            name: name,
            run: { environment in
                try workspace.lifeboat(
                    ["restore", "latest", "--data-dir", target, "--clean"], environment: environment)
            },
            check: { faultCase, result in
                var broken: [String] = []
                let has = { (name: String) in FileManager.default.fileExists(atPath: target + "/" + name) }
                if result.status == 0 { broken.append("the restore exited 0") }
                if Self.chainPoints.contains(faultCase.point) && has("global/pg_control") {
                    broken.append("global/pg_control exists before every backup is applied")
                }
                if has("recovery.signal") { broken.append("recovery.signal exists after a failed restore") }
                if faultCase.action == "eio", let left = try? FileManager.default.contentsOfDirectory(atPath: target),
                    !left.isEmpty
                {
                    broken.append("a failed restore left \(left.sorted())")
                }
                if faultCase.action == "kill" && faultCase.point == "restore.control.before" {
                    // Every file is in place but pg_control: the server must refuse it even when handed over.
                    startTried()
                    try self.chownToPostgres(target)
                    let options = "-p \(try self.freePort()) -k '\(target)' -c listen_addresses=127.0.0.1"
                    if self.runPgCtl(["-D", target, "-o", options, "-w", "-t", "20", "start"]) == 0 {
                        broken.append("a server started on the killed restore's directory")
                        self.stopServer(target)
                    }
                }
                let again = try workspace.lifeboat(["restore", "latest", "--data-dir", target, "--clean"])
                if again.status != 0 {
                    broken.append("the same restore with --clean exits \(again.status): \(again.stderr)")
                } else if !has("global/pg_control") || !has("recovery.signal") {
                    broken.append("the restore with --clean is incomplete")
                }
                return FaultVerdict(broken: broken, backupsChecked: 1)
            })
    }

    /// A full snapshot restores in one pass too (read once, pg_control last): the same guarantees at its points.
    func testAFullSnapshotRestoreUnderAFaultNeverLeavesADirectoryThatStarts() throws {
        let env = try TestEnvironment.require()
        let scenario = try archivingScenario(
            env, name: "fullfaults", ArchivingOptions(table: IncrementalRestoreTests.table, snapshot: false))
        try scenario.admin.execute(
            "INSERT INTO \(scenario.table) SELECT i, 'base', md5(i::text) FROM generate_series(1, 5000) AS i")
        _ = try chainSnapshot(scenario.workspace, incremental: false)
        try waitUntilArchived(scenario.admin, try scenario.switchWAL())
        var startsTried = 0
        let faulted = restoreScenario(
            "full snapshot restore", workspace: scenario.workspace, target: scenario.workspace.directory + "/faulted"
        ) { startsTried += 1 }
        let points = ["restore.extract.before", "restore.chain.newest.after", "restore.control.before"]
        let count = try FaultSuite.exercise(
            faulted, scratch: scenario.workspace.directory, actions: ["kill"],
            requiredPoints: points + ["restore.recovery.before"], only: { $0.hasPrefix("restore.") })
        let others = try FaultSuite.exercise(
            faulted, scratch: scenario.workspace.directory, actions: ["term", "eio"],
            only: { FaultSuite.full ? $0.hasPrefix("restore.") : points.dropFirst().contains($0) })
        XCTAssertGreaterThanOrEqual(count + others, 8)
        XCTAssertEqual(startsTried, 1)
    }
}
