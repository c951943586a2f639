// A backup killed midway never looks complete and leaves nothing behind: no objects, no temp files, no lock.
import Foundation
import PGClient
import XCTest

final class InterruptionTests: XCTestCase {
    func testTerminatedBackupLeavesNothingAndReleasesTheLock() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("killed")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 2_000)
        let workspace = try Workspace(env)
        try workspace.initialize(database: source)

        // Hold an exclusive lock so pg_dump blocks inside the backup: the run is deterministically mid-flight.
        let blocker = try PGConnection(try env.connectionInfo(database: source))
        try blocker.execute("BEGIN; LOCK TABLE customers IN ACCESS EXCLUSIVE MODE")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.binary)
        process.arguments = ["--config", workspace.configPath, "--no-progress", "backup", "--database", source]
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try waitUntil("pg_dump is waiting for the lock") {
            try blocker.query("SELECT count(*) FROM pg_locks WHERE NOT granted").rows[0][0] != "0"
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.repository + "/locks/cluster-main.lock"))
        process.terminate()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try blocker.execute("ROLLBACK")
        blocker.close()

        XCTAssertEqual(process.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("interrupted"), stderr)
        let leftovers = try workspace.backupObjects()
        XCTAssertTrue(leftovers.isEmpty, "objects left: \(leftovers)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workspace.repository + "/.tmp"), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.repository + "/locks/cluster-main.lock"))
        let list = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        XCTAssertEqual((list["backups"] as? [Any])?.count, 0)

        // The child pg_dump is gone too, and the next backup runs normally.
        let admin = try env.admin()
        defer { admin.close() }
        try waitUntil("pg_dump's session ends") {
            try admin.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'lifeboat'", [source]
            ).rows[0][0] == "0"
        }
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)
    }

    func waitUntil(_ what: String, timeout: TimeInterval = 20, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("timed out waiting until \(what)")
    }
}
