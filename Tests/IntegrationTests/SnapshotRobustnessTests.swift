// Snapshots under stress, through the built binary and the scratch PostgreSQL archiving into the test's
// repository: (a) a snapshot taken while pgbench writes restores to a consistent, complete database, and the
// restored server (promoted to timeline 2) can archive its history file and timeline-2 segments into the same
// repository, where `wal get` returns them; (b) a snapshot killed by SIGTERM while the base backup streams exits
// 1, commits nothing, leaves no object, temporary file or lock, and no walsender stays behind.
import Foundation
import PGClient
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class SnapshotRobustnessTests: XCTestCase {
    var env: TestEnvironment!
    let pgBin = TestEnvironment.pgBin

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    // MARK: (a) under write load, then (c) the restored timeline archives into the same repository

    func testSnapshotUnderPgbenchLoadRestoresConsistently() throws {
        let database = TestEnvironment.uniqueName("bench")
        let admin = try env.admin()
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(database)")
        defer { try? admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        let initialised = try run(pgBin + "/pgbench", ["-i", "-s", "2", "-q", env.url(database: database)])
        XCTAssertEqual(initialised.status, 0, initialised.output)

        let workspace = try archivingScenario(env, name: "bench", .archivingOnly).workspace

        let load = Process()
        load.executableURL = URL(fileURLWithPath: pgBin + "/pgbench")
        load.arguments = ["-c", "2", "-T", "15", "-n", env.url(database: database)]
        let loadOutput = Pipe()
        load.standardOutput = loadOutput
        load.standardError = loadOutput
        try load.run()
        defer { if load.isRunning { load.terminate() } }
        Thread.sleep(forTimeInterval: 2)
        XCTAssertTrue(load.isRunning, "pgbench ended before the snapshot started")
        let snapshot = try workspace.lifeboat(["backup", "--type", "snapshot", "--json"])
        XCTAssertEqual(snapshot.status, 0, snapshot.output)
        let loadRunning = load.isRunning
        let loadText = String(decoding: loadOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        load.waitUntilExit()
        XCTAssertEqual(load.terminationStatus, 0, loadText)
        XCTAssertTrue(loadRunning, "pgbench ended before the snapshot did: the load did not overlap the whole backup")

        // Everything the load wrote is archived; then the source's totals are what a restore must reproduce.
        let source = try PGConnection(try env.connectionInfo(database: database))
        let expected = try totals(source)
        source.close()
        XCTAssertGreaterThan(expected.history, 0)
        let last = try XCTUnwrap(admin.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil)
        try waitUntilArchived(admin, last)

        let directory = workspace.directory + "/restored"
        defer {
            stopServer(directory)
            withExtendedLifetime(workspace) {}
        }
        let port = try freePort()
        let restored = try workspace.lifeboat([
            "restore", "latest", "--data-dir", directory, "--start", "--port", String(port),
        ])
        XCTAssertEqual(restored.status, 0, restored.output)
        let target = try PGConnection(try ConnectionInfo("postgresql://postgres@127.0.0.1:\(port)/\(database)"))
        defer { target.close() }
        let got = try totals(target)
        XCTAssertEqual(got.accounts, 200_000)
        XCTAssertGreaterThan(got.history, 0)
        XCTAssertEqual(got, expected, "the restore to latest differs from the source after the load")
        XCTAssertEqual(try target.query("SELECT count(*)::text FROM pgbench_branches").rows.first?[0], "2")

        // (c) The restored server promoted to timeline 2. Its history file and its timeline-2 segments belong to
        // the same database system, so the repository accepts them and gives them back.
        let current = try XCTUnwrap(target.query("SELECT pg_walfile_name(pg_current_wal_lsn())").rows.first?[0] ?? nil)
        XCTAssertTrue(current.hasPrefix("00000002"), current)
        XCTAssertEqual(
            try workspace.lifeboat(["wal", "get", "00000002.history", workspace.directory + "/missing.history"]).status,
            1,
            "the history file is archived only when the restored server archives it")
        let history = directory + "/pg_wal/00000002.history"
        let pushedHistory = try workspace.lifeboat(["wal", "push", history])
        XCTAssertEqual(pushedHistory.status, 0, pushedHistory.output)
        try target.execute("CREATE TABLE after_promotion AS SELECT i FROM generate_series(1, 1000) AS i")
        let segment = try XCTUnwrap(target.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil)
        XCTAssertTrue(segment.hasPrefix("00000002"), segment)
        let pushedSegment = try workspace.lifeboat(["wal", "push", directory + "/pg_wal/" + segment])
        XCTAssertEqual(pushedSegment.status, 0, pushedSegment.output)
        for name in ["00000002.history", segment] {
            let back = workspace.directory + "/back-" + name
            let get = try workspace.lifeboat(["wal", "get", name, back])
            XCTAssertEqual(get.status, 0, get.output)
            XCTAssertEqual(
                FileManager.default.contents(atPath: back),
                FileManager.default.contents(atPath: directory + "/pg_wal/" + name), name)
        }
        XCTAssertNotNil(try workspace.repositoryFiles()["wal/main/00000002/\(segment).meta.lbx"])
    }

    // MARK: (b) killed while the base backup streams

    func testSnapshotKilledWhileStreamingLeavesNothingBehind() throws {
        let database = TestEnvironment.uniqueName("bulk")
        let admin = try env.admin()
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(database)")
        defer { try? admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        // About 160 MB: the base backup streams for long enough that the phase is seen before it ends.
        let initialised = try run(pgBin + "/pgbench", ["-i", "-s", "10", "-q", env.url(database: database)])
        XCTAssertEqual(initialised.status, 0, initialised.output)

        let workspace = try archivingScenario(env, name: "snapkill", .archivingOnly).workspace
        XCTAssertEqual(try walsenders(admin), 0)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.binary)
        process.arguments = ["--config", workspace.configPath, "--no-progress", "backup", "--type", "snapshot"]
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let phaseQuery = "SELECT coalesce(max(phase), '') FROM pg_stat_progress_basebackup"
        try waitUntil("the base backup streams database files", timeout: 60, interval: 0.01) {
            try admin.query(phaseQuery).rows.first?[0] == "streaming database files"
        }
        // Freeze lifeboat: the walsender blocks on its socket (lifeboat reads the replication stream itself), so the backup
        // stays mid-stream while we look; SIGTERM is delivered when it continues.
        kill(process.processIdentifier, SIGSTOP)
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(try admin.query(phaseQuery).rows.first?[0], "streaming database files")
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.repository + "/locks/cluster-main.lock"))
        XCTAssertEqual(
            try childProcesses(of: process.processIdentifier, named: "pg_basebackup"), [],
            "BASE_BACKUP runs over lifeboat's own replication connection, without a pg_basebackup child")
        kill(process.processIdentifier, SIGTERM)
        kill(process.processIdentifier, SIGCONT)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        XCTAssertEqual(process.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("interrupted"), stderr)
        XCTAssertEqual(try workspace.backupObjects(), [], "objects left behind")
        // archive_command may be pushing a segment (the backup's checkpoint switched WAL) into the same
        // repository right now: its temporary file is transient, so wait for .tmp to drain.
        let temporary = workspace.repository + "/.tmp"
        do {
            try waitUntil("no temporary files remain", timeout: 20, interval: 0.1) {
                ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).isEmpty
            }
        } catch {
            let left = ((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).map { name in
                "\(name): \((try? FileManager.default.attributesOfItem(atPath: temporary + "/" + name)[.size]) ?? "?") bytes"
            }
            XCTFail("left in .tmp: \(left); lifeboat said: \(stderr)")
            throw error
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.repository + "/locks/cluster-main.lock"))
        let list = try workspace.lifeboat(["list", "--json"])
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertEqual((try workspace.json(list)["backups"] as? [Any])?.count, 0, list.stdout)
        try waitUntil("the walsender ends", timeout: 10, interval: 0.1) { try self.walsenders(admin) == 0 }

        // The next snapshot runs normally.
        let again = try workspace.lifeboat(["backup", "--type", "snapshot"])
        XCTAssertEqual(again.status, 0, again.output)
    }

    // MARK: helpers

    struct Totals: Equatable {
        let accounts: Int
        let balance: Int
        let history: Int
        let historyDelta: Int
    }

    func totals(_ connection: PGConnection) throws -> Totals {
        let row = try XCTUnwrap(
            connection.query(
                """
                SELECT (SELECT count(*) FROM pgbench_accounts)::text, (SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts)::text,
                       (SELECT count(*) FROM pgbench_history)::text, (SELECT coalesce(sum(delta), 0) FROM pgbench_history)::text
                """
            ).rows.first)
        return Totals(
            accounts: Int(row[0] ?? "") ?? -1, balance: Int(row[1] ?? "") ?? -1,
            history: Int(row[2] ?? "") ?? -1, historyDelta: Int(row[3] ?? "") ?? -1)
    }

    func walsenders(_ admin: PGConnection) throws -> Int {
        Int(
            try admin.query("SELECT count(*)::text FROM pg_stat_activity WHERE backend_type = 'walsender'").rows.first?[
                0] ?? "") ?? -1
    }

    /// Children of `parent` whose command is `name` (other tests' processes are never looked at).
    func childProcesses(of parent: Int32, named name: String) throws -> [Int32] {
        let result = try run("/usr/bin/pgrep", ["-P", String(parent), "-x", name])
        return result.stdout.split(separator: "\n").compactMap { Int32($0) }
    }

    /// Whether `pid` still runs `name` (a reused pid running something else does not count; zombies neither).
    func isRunning(_ pid: Int32, named name: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return stat.contains("(\(name))") && !stat.contains(") Z ")
    }

    func run(_ executable: String, _ arguments: [String]) throws -> RunResult {
        try ProcessRunner.run(executable, arguments)
    }

    func waitUntil(_ what: String, timeout: TimeInterval, interval: TimeInterval, _ condition: () throws -> Bool) throws
    {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: interval)
        }
        XCTFail("timed out waiting until \(what)")
        throw XCTSkip("cannot continue")
    }

}
