// Physical snapshots and point-in-time restore through the built binary, against the scratch PostgreSQL
// archiving into the test's file repository (archive_command = this lifeboat's `wal push`, as the postgres OS
// user when tests run as root): a snapshot (taken with `backup.threads: 2`), then batch A, a recorded time T,
// batch B; a restore to T has exactly batch A, a restore to the end of the archive has A and B; a non-empty
// directory is refused; a snapshot whose WAL cannot be archived fails within LIFEBOAT_WAL_WAIT_SECONDS, names
// archive_command and commits nothing.
import Foundation
import PGClient
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class SnapshotRestoreTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testSnapshotThenPointInTimeRestoreToTimeAndToLatest() throws {
        // Two threads whatever the machine: zstd's workers write the archives, and the restores below read them.
        var options = ArchivingOptions()
        options.prepare = { workspace in
            try workspace.initialize()
            try workspace.writeConfig(extra: "backup: { threads: 2 }")
        }
        options.environment = ["LIFEBOAT_LOG_LEVEL": "debug"]
        let scenario = try archivingScenario(env, name: "pitr", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let snapshot = try XCTUnwrap(scenario.snapshot)
        XCTAssertTrue(snapshot.stderr.contains("object=base.tar.zst.lbx zstd_workers=2"), snapshot.stderr)
        XCTAssertEqual(try workspace.json(snapshot)["kind"] as? String, "snapshot", snapshot.stdout)
        let objects = try workspace.backupObjects()
        XCTAssertTrue(objects.contains { $0.hasSuffix("/base.tar.zst.lbx") }, "\(objects)")
        // "latest" is per kind: a logical restore does not pick up the snapshot, and says so.
        let logical = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: "never_created")])
        XCTAssertEqual(logical.status, 1, logical.output)
        XCTAssertTrue(logical.stderr.contains("no complete logical backup"), logical.stderr)
        let snapshotId = try scenario.snapshotID()
        let named = try workspace.lifeboat(["restore", snapshotId, "--target", env.url(database: "never_created")])
        XCTAssertEqual(named.status, 2, named.output)
        XCTAssertTrue(named.stderr.contains("--data-dir"), named.stderr)

        let target = try scenario.insertBatchesAroundATargetTime()
        try waitUntilArchived(admin, try scenario.switchWAL())

        let pitr = workspace.directory + "/pitr"
        let latest = workspace.directory + "/latest"
        defer {
            stopServer(pitr)
            stopServer(latest)
            withExtendedLifetime(workspace) {}
        }
        let dry = try workspace.lifeboat(["restore", "latest", "--data-dir", pitr, "--to-time", target, "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.output)
        XCTAssertTrue(dry.stdout.contains("dry run"), dry.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pitr), "--dry-run created the data directory")

        let port1 = try freePort()
        let toTime = try workspace.lifeboat([
            "restore", "latest", "--data-dir", pitr, "--to-time", target, "--start", "--port", String(port1),
        ])
        XCTAssertEqual(toTime.status, 0, toTime.output)
        XCTAssertTrue(toTime.stdout.contains("recovery reached"), toTime.stdout)
        XCTAssertEqual(
            try batches(port: port1, table: table), ["A": 100], "a restore to \(target) must hold batch A only")
        let owner =
            try FileManager.default.attributesOfItem(atPath: pitr + "/global/pg_control")[.ownerAccountName] as? String
        if getuid() == 0 { XCTAssertEqual(owner, "postgres") }

        let port2 = try freePort()
        let toLatest = try workspace.lifeboat([
            "restore", "latest", "--data-dir", latest, "--start", "--port", String(port2),
        ])
        XCTAssertEqual(toLatest.status, 0, toLatest.output)
        XCTAssertEqual(try batches(port: port2, table: table), ["A": 100, "B": 100])

        stopServer(pitr)
        let refused = try workspace.lifeboat(["restore", "latest", "--data-dir", pitr])
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.stderr.contains("is not empty") && refused.stderr.contains("--clean"), refused.stderr)
        let noSnapshot = try workspace.lifeboat([
            "restore", "latest", "--data-dir", workspace.directory + "/early",
            "--to-time", "2001-01-01T00:00:00Z",
        ])
        XCTAssertEqual(noSnapshot.status, 2, noSnapshot.output)
        XCTAssertTrue(noSnapshot.stderr.contains("no complete snapshot"), noSnapshot.stderr)
    }

    func testSnapshotFailsAndCommitsNothingWhenArchivingFails() throws {
        let workspace = try Workspace(env, name: "snapfail")
        try workspace.initialize()
        let admin = try env.admin()
        defer { admin.close() }
        try setArchiveCommand(admin, "/bin/false")
        defer { try? env.resetArchiveCommand() }
        let started = Date()
        let failed = try workspace.lifeboat(
            ["backup", "--type", "snapshot"], environment: ["LIFEBOAT_WAL_WAIT_SECONDS": "5"])
        XCTAssertEqual(failed.status, 1, failed.output)
        XCTAssertTrue(failed.stderr.contains("did not archive the snapshot's WAL within 5 s"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("archive_command is '/bin/false'"), failed.stderr)
        XCTAssertTrue(failed.stderr.contains("nothing was committed"), failed.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
        let list = try workspace.lifeboat(["list", "--json"])
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertEqual((try workspace.json(list)["backups"] as? [Any])?.count, 0, list.stdout)
        XCTAssertEqual(try workspace.backupObjects(), [])
    }
}
