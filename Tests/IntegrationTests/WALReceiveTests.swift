// `wal receive` end to end (docs/format.md §8.7), on a primary of its own: the scratch server's snapshot restored
// and promoted (timeline 2), so the test may kill it. The receiver streams timeline 2 into the repository that
// holds timeline 1 (archived by `wal push`) while a load of inserts and a heartbeat row every 0.2 s runs:
//   - killed twice by failpoints first (mid-replace of a partial; after a commit, before its acknowledgement)
//     and restarted: the fault-suite scenario of the receiver, whose guarantees `verify --wal` and the restore
//     check at the end;
//   - WAL written while no receiver runs is kept on the server for the slot: the next receiver warns of it
//     (wal.slot_retained_warn 1MiB);
//   - the primary is restarted with archive_command = `wal push` into the same repository: the receiver
//     reconnects, and from then on both store the same segments (whichever is first wins, the other finds the
//     identical file: the server's archiver never fails);
//   - then only heartbeats for 7 s, so their segment does not fill up, and the primary is killed with SIGKILL
//     (its postmaster); a snapshot drill with T0 = the kill then replays timeline 1, the history file and
//     timeline 2 up to the end of the receiver's last partial: its achieved RPO (T0 − the newest heartbeat
//     restored) is within `wal.partial_every` (2 s) + 2 s (issue #15's "done when").
import Foundation
import PGClient
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class WALReceiveTests: XCTestCase {
    var env: TestEnvironment!
    static let partialEvery = 2.0

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testRestoreAfterSIGKILLOfThePrimaryReachesWithinSecondsOfIt() throws {
        let scenario = try archivingScenario(env, name: "receive")
        let workspace = scenario.workspace
        // A row first: right after the snapshot's own switch, pg_switch_wal() would complete no segment.
        try scenario.admin.execute("INSERT INTO \(scenario.table) VALUES (1, 'A')")
        try waitUntilArchived(scenario.admin, try scenario.switchWAL())
        try scenario.stopArchiving()

        let primary = workspace.directory + "/primary"
        defer { stopServer(primary) }
        let port = try freePort()
        let promoted = try workspace.lifeboat([
            "restore", "latest", "--data-dir", primary, "--start", "--port", String(port),
        ])
        XCTAssertEqual(promoted.status, 0, promoted.output)
        XCTAssertTrue(promoted.stdout.contains("now on timeline 2"), promoted.stdout)
        let url = "postgresql://postgres@127.0.0.1:\(port)/postgres"
        var server = try PGConnection(try ConnectionInfo(url))
        try server.execute("CREATE TABLE load (id integer, pad text)")

        let config = workspace.directory + "/receive.yml"
        try """
        cluster: main
        postgres:
          url: "\(url)"
        repository:
          url: "file://\(workspace.repository)"
        encryption:
          key_file: \(workspace.keyFile)
        wal: { partial_every: \(Int(Self.partialEvery))s, slot_retained_warn: 1MiB }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        // The heartbeat table a drill measures the RPO with, made by `lifeboat heartbeat` (the load adds rows).
        let beat = try runLifeboat(env, ["--config", config, "--no-progress", "heartbeat"])
        XCTAssertEqual(beat.status, 0, beat.output)
        let receive = { (failpoints: String) in
            try LifeboatProcess(
                self.env, ["--config", config, "--no-progress", "wal", "receive"],
                environment: [
                    "TMPDIR": workspace.directory, "LIFEBOAT_FAILPOINTS": failpoints, "LIFEBOAT_LOG_LEVEL": "info",
                ])
        }

        // Two receivers die at their failpoints while the load runs; each next one resumes where the archive ends.
        for failpoint in ["wal.partial.before=2*kill", "wal.receive.ack.before=3*kill"] {
            let dying = try receive(failpoint)
            try load(server, seconds: 20) { !dying.process.isRunning }
            let died = dying.wait()
            XCTAssertEqual(died.signal, SIGKILL, "\(failpoint): " + died.output)
        }
        // WAL written while no receiver runs stays on the server for the slot (≥ 2 MiB): the next one warns.
        try load(server, seconds: 1)
        let receiver = try receive("")
        try load(server, seconds: 3)

        // The primary restarts, now also archiving with wal push: the receiver reconnects.
        try server.execute("ALTER SYSTEM SET archive_mode = on")
        try server.execute("ALTER SYSTEM SET archive_command = \(try server.quoteLiteral(scenario.archiveCommand))")
        server.close()
        try restartServer(primary, port: port, settings: [])
        server = try PGConnection(try ConnectionInfo(url))
        defer { server.close() }
        try load(server, seconds: 6)
        let archiver = try server.query("SELECT archived_count::text, failed_count::text FROM pg_stat_archiver")
        XCTAssertEqual(archiver.rows.first?[1], "0", "wal push and the receiver must agree on every segment")
        XCTAssertNotEqual(archiver.rows.first?[0], "0", "the primary archived with wal push too")
        // Heartbeats only, for longer than partial_every + 2 s: the segment they are in does not fill up, so only
        // the receiver's partials can bring them back.
        try load(server, seconds: 7, rows: 0)

        let postmaster = try String(contentsOfFile: primary + "/postmaster.pid", encoding: .utf8)
        let pid = try XCTUnwrap(Int32(postmaster.split(separator: "\n").first ?? ""))
        let killedAt = Date()
        XCTAssertEqual(kill(pid, SIGKILL), 0)
        Thread.sleep(forTimeInterval: 1)
        kill(receiver.process.processIdentifier, SIGTERM)
        let stopped = receiver.wait()
        XCTAssertEqual(stopped.status, 0, "SIGTERM is a service's normal stop: " + stopped.output)
        XCTAssertTrue(stopped.stderr.contains("wal receive streaming"), stopped.output)
        XCTAssertTrue(
            stopped.stderr.contains("MiB of WAL on the server (wal.slot_retained_warn is 1 MiB)"), stopped.output)

        let verify = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(verify.status, 0, verify.output)
        XCTAssertTrue(verify.stdout.contains("ok     partial 00000002"), verify.stdout)
        let list = try workspace.lifeboat(["list"])
        XCTAssertTrue(list.stdout.contains("partial segment (wal receive): 00000002"), list.stdout)
        let status = try workspace.json(try workspace.lifeboat(["status", "--json"]))
        let lag = try XCTUnwrap(status["receiver"] as? [String: Any], "\(status)")
        XCTAssertEqual(lag["timeline"] as? Int, 2)

        // A drill with T0 = the kill restores the newest snapshot and replays the archive, the history file and
        // timeline 2 up to the end of the receiver's last partial; its RPO is T0 − the newest heartbeat restored.
        let drill = try workspace.writeDrill(
            "receive",
            """
            restore: { type: snapshot }
            checks:
              sql:
                - { name: load replayed, query: "SELECT count(*) > 0 FROM load", expect: "t" }
            """)
        let run = try workspace.lifeboat(["drill", "run", drill, "--now", DrillTests.iso(killedAt), "--json"])
        XCTAssertEqual(run.status, 0, run.output)
        let evidence = try workspace.json(run)
        XCTAssertEqual(evidence["verdict"] as? String, "passed", run.stdout)
        XCTAssertEqual((evidence["recovery_point"] as? [String: Any])?["method"] as? String, "heartbeat", run.stdout)
        let rpo = try XCTUnwrap(evidence["rpo_seconds"] as? Double, run.stdout)
        print("wal receive: the drill's achieved RPO is \(String(format: "%.2f", rpo)) s (T0 = the kill)")
        XCTAssertLessThanOrEqual(rpo, Self.partialEvery + 2, "the drill must restore to within seconds of the kill")
    }

    /// Inserts `rows` rows (~0.7 MB of WAL for 3000) and one heartbeat row every 0.2 s for `seconds`, or until
    /// `stop` says so.
    func load(_ server: PGConnection, seconds: Double, rows: Int = 3000, until stop: () -> Bool = { false }) throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end && !stop() {
            try server.execute(
                "INSERT INTO load SELECT g, repeat('x', 200) FROM generate_series(1, \(rows)) AS g; "
                    + "INSERT INTO lifeboat.heartbeat (host) VALUES ('load')")
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}
