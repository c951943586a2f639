// WAL prefetching through the built binary: a restore with --start replays many segments correctly with
// prefetch on (default 8) and answers some from pg_wal/lifeboat-prefetch/, which is removed after promotion;
// `wal get` of a spooled segment takes it from the spool even with the repository unreachable, deletes the
// segments recovery has passed, and a segment that was never spooled still needs the repository.
import Foundation
import PGClient
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class WALPrefetchTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testRestoreReplaysFromThePrefetchSpoolAndGetTakesSpooledSegments() throws {
        let scenario = try archivingScenario(env, name: "prefetch")
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        var switched: [String] = []
        for round in 1...8 {
            try admin.execute(
                "INSERT INTO \(table) SELECT i, 'R\(round)' FROM generate_series(\(round * 1000), \(round * 1000 + 99)) AS i"
            )
            switched.append(try scenario.switchWAL())
        }
        try waitUntilArchived(admin, switched.last!)

        let restored = workspace.directory + "/restored"
        defer {
            stopServer(restored)
            withExtendedLifetime(workspace) {}
        }
        let port = try freePort()
        let restore = try workspace.lifeboat(
            ["restore", "latest", "--data-dir", restored, "--start", "--port", String(port)],
            environment: ["LIFEBOAT_LOG_LEVEL": "info"])
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertEqual(
            try batches(port: port, table: table), Dictionary(uniqueKeysWithValues: (1...8).map { ("R\($0)", 100) }))
        let serverLog = (try? String(contentsOfFile: restored + "/lifeboat-restore.log", encoding: .utf8)) ?? ""
        XCTAssertTrue(
            serverLog.contains("restored from the prefetch spool"),
            "no segment came from the spool:\n\(serverLog.suffix(3000))")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: restored + "/pg_wal/lifeboat-prefetch"),
            "the spool outlived promotion")

        // wal get N spools N+1 …; with the repository gone, N+1 still comes from the spool.
        let pgWAL = workspace.directory + "/fake/pg_wal"
        try FileManager.default.createDirectory(atPath: pgWAL, withIntermediateDirectories: true)
        let (first, second) = (switched[0], switched[1])
        let fetched = try workspace.lifeboat(["wal", "get", first, pgWAL + "/RECOVERYXLOG"])
        XCTAssertEqual(fetched.status, 0, fetched.output)
        let spool = pgWAL + "/lifeboat-prefetch"
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: spool + "/" + switched[3]) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: spool + "/" + second), "the prefetcher did not spool \(second)")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: spool)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o700)
        waitForPrefetcher(spool)
        let expected = try Data(contentsOf: URL(fileURLWithPath: spool + "/" + second))

        let away = workspace.repository + ".away"
        XCTAssertEqual(rename(workspace.repository, away), 0)
        defer { rename(away, workspace.repository) }
        let fromSpool = try workspace.lifeboat(["wal", "get", second, pgWAL + "/RECOVERYXLOG", "--json"])
        XCTAssertEqual(fromSpool.status, 0, fromSpool.output)
        XCTAssertEqual(try workspace.json(fromSpool)["from_prefetch_spool"] as? Bool, true, fromSpool.stdout)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: pgWAL + "/RECOVERYXLOG")), expected)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: spool + "/" + second), "a delivered segment stays in the spool")
        // Asking for a later segment deletes the ones recovery passed; one that is not spooled needs the repository.
        let later = try workspace.lifeboat(["wal", "get", switched[3], pgWAL + "/RECOVERYXLOG"])
        XCTAssertEqual(later.status, 0, later.output)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: spool + "/" + switched[2]), "a passed segment was not deleted")
        let notSpooled = try workspace.lifeboat(["wal", "get", first, pgWAL + "/RECOVERYXLOG"])
        XCTAssertNotEqual(notSpooled.status, 0, "the repository is unreachable: " + notSpooled.output)
    }

    /// Waits until no prefetcher holds the spool's lock, so the test does not race a download.
    func waitForPrefetcher(_ spool: String) {
        let fd = open(spool + "/.lock", O_RDWR)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(60)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        flock(fd, LOCK_UN)
    }
}
