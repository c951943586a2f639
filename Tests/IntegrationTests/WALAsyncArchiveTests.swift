// Asynchronous archiving end to end on the scratch PostgreSQL (docs/format.md §8.6): archive_command is
// `wal push %p` with wal.async, a backlog of segments written while archiving failed drains through the
// background pusher — which is SIGKILLed once mid-batch and started again by the next `wal push` — every
// segment is committed (`verify --wal` clean), `status` shows the drained queue, and a point-in-time restore
// replays the asynchronously archived WAL to exactly the target.
import Foundation
import PGClient
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class WALAsyncArchiveTests: XCTestCase {
    func testBacklogDrainsThroughThePusherSurvivesItsKillAndRestoresToATime() throws {
        let env = try TestEnvironment.require()
        var options = ArchivingOptions()
        options.prepare = { workspace in
            try workspace.generateKey()
            try workspace.writeConfig(extra: "wal: { async: true, spool_dir: spool, push_parallel: 2 }")
            XCTAssertEqual(try workspace.lifeboat(["init"]).status, 0)
        }
        let scenario = try archivingScenario(env, name: "walasync", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let spool = workspace.directory + "/spool/main"
        defer { try? stopPusher(spool: spool) }
        let target = try scenario.insertBatchesAroundATargetTime()

        // A backlog: archiving fails while 30 segments with data are written.
        try setArchiveCommand(admin, "/bin/false")
        var last = try scenario.switchWAL()
        for round in 1...30 {
            try admin.execute(
                "INSERT INTO \(table) SELECT i, 'C' FROM generate_series(\(round * 1000), \(round * 1000 + 499)) AS i")
            last = try scenario.switchWAL()
        }
        try scenario.startArchiving()
        let started = Date()
        var killed = false
        while !killed && Date().timeIntervalSince(started) < 60 {
            // Mid-batch: the pusher has archived some segments and not all.
            if let state = pusherState(spool), state["phase"] as? String == "running",
                (state["pushed_segments"] as? Int ?? 0) >= 4, let pid = state["pid"] as? Int
            {
                XCTAssertEqual(kill(pid_t(pid), SIGKILL), 0)
                killed = true
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(killed, "the pusher was never seen mid-batch")
        try waitUntilArchived(admin, last)
        print("async drain of 31 segments, one pusher SIGKILLed: \(Date().timeIntervalSince(started)) s")

        let verified = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(verified.status, 0, verified.output)
        let status = try workspace.lifeboat([
            "status", "--json", "--metrics-file", workspace.directory + "/metrics.prom",
        ])
        XCTAssertEqual(status.status, 0, status.output)
        let queue = try XCTUnwrap(try workspace.json(status)["wal_async"] as? [String: Any], status.stdout)
        XCTAssertEqual((queue["queue"] as? [String: Any])?["segments"] as? Int, 0, status.stdout)
        let metrics = try String(contentsOfFile: workspace.directory + "/metrics.prom", encoding: .utf8)
        XCTAssertTrue(metrics.contains("lifeboat_wal_queue_files{cluster=\"main\"} 0"), metrics)

        let directory = workspace.directory + "/pitr"
        defer { stopServer(directory) }
        let port = try freePort()
        let restored = try workspace.lifeboat([
            "restore", "latest", "--data-dir", directory, "--to-time", target, "--start", "--port", String(port),
        ])
        XCTAssertEqual(restored.status, 0, restored.output)
        XCTAssertEqual(try batches(port: port, table: table), ["A": 100], "replayed to the target time exactly")
    }

    func pusherState(_ spool: String) -> [String: Any]? {
        FileManager.default.contents(atPath: spool + "/pusher.json").flatMap {
            try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
        }
    }
}
