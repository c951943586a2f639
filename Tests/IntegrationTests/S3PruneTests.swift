// prune on an s3:// repository (moto with SigV4 verification): storage-class transitions checked through the
// S3 API, a prune killed mid-way that the next run finishes, archive-class restores that rehydrate first, and
// Object Lock on a lock-enabled bucket — locked objects are reported as deferred, pins set legal holds, and
// verify --immutability finds locks that end before the retention does.
import Foundation
import TestSupport
import XCTest

final class S3PruneTests: XCTestCase {
    func prepare(_ name: String, bucket: String? = nil, policy: String, endpoint: String? = nil)
        throws -> (env: TestEnvironment, s3: S3TestServer, workspace: Workspace, source: String, prefix: String)
    {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let source = TestEnvironment.uniqueName(name)
        try SampleDatabase.create(env, name: source, rows: 300)
        let workspace = try Workspace(env, name: name)
        try workspace.generateKey()
        try policy.write(toFile: workspace.directory + "/retention.yml", atomically: true, encoding: .utf8)
        let prefix = "\(name)-\(UUID().uuidString.prefix(8).lowercased())"
        try s3.writeConfig(
            workspace, bucket: bucket, prefix: prefix, database: source, endpoint: endpoint,
            extra: "policy: retention.yml")
        let created = try workspace.lifeboat(["init"], environment: s3.credentials)
        XCTAssertEqual(created.status, 0, created.output)
        return (env, s3, workspace, source, prefix)
    }

    func backups(_ workspace: Workspace, _ s3: S3TestServer, count: Int) throws -> [String] {
        for index in 0..<count {
            if index > 0 { Thread.sleep(forTimeInterval: 1.05) }  // ids order by start second
            let backup = try workspace.lifeboat(["backup"], environment: s3.credentials)
            XCTAssertEqual(backup.status, 0, backup.output)
        }
        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"], environment: s3.credentials))
        return (listing["backups"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    }

    func testTransitionsAndAnInterruptedPruneThatTheNextRunFinishes() throws {
        let policy = """
            safety: { min_age: 1h }
            keep: { logical: { last: 2 } }
            tiering: [ { after: 2h, storage_class: STANDARD_IA } ]
            """
        let (env, s3, workspace, source, prefix) = try prepare("s3prune", policy: policy)
        defer { SampleDatabase.drop(env, source) }
        let ids = try backups(workspace, s3, count: 4)
        XCTAssertEqual(ids.count, 4)
        let later = PruneTests.isoString(Date().addingTimeInterval(3 * 3600))

        // Through the proxy, the delete of the first expired backup's data object hangs (its manifest is
        // already gone by then); the run is killed there, as a crash or an OOM kill would stop it.
        try s3.writeConfig(
            workspace, prefix: prefix, database: source, endpoint: s3.proxy, extra: "policy: retention.yml")
        try s3.clearFaults()
        let hung = "/\(s3.bucket)/\(prefix)/backups/main/\(ids[0])/db-0001"
        try s3.queueFaults([["match": "DELETE " + hung, "delay": 30, "status": 503, "code": "SlowDown"]])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.binary)
        process.arguments = ["--config", workspace.configPath, "--no-progress", "prune", "--now", later]
        process.environment = s3.credentials.merging(["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline,
            try !s3.proxyLog().contains(where: { ($0["path"] as? String)?.hasPrefix(hung) == true })
        {
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try s3.clearFaults()

        var objects = try s3.storageClasses(prefix: prefix)
        XCTAssertNil(objects["backups/main/\(ids[0])/manifest.lbx"], "the manifest goes first")
        XCTAssertNotNil(objects["backups/main/\(ids[0])/db-0001.tar.zst.lbx"], "the kill left the data object")
        XCTAssertEqual(
            objects.keys.filter { $0.hasPrefix("prune/main/") }.count, 1, "the plan was recorded before any delete")
        let interrupted = try workspace.lifeboat(["list", "--json"], environment: s3.credentials)
        XCTAssertEqual(interrupted.status, 0, interrupted.output)
        XCTAssertFalse(interrupted.stdout.contains(ids[0]), "a backup without manifest is not listed")

        // The next run (direct, the dead run's lock is taken over) finishes the work and moves the kept backups.
        try s3.writeConfig(workspace, prefix: prefix, database: source, extra: "policy: retention.yml")
        let resumed = try workspace.lifeboat(["prune", "--now", later, "--json"], environment: s3.credentials)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let outcome = try workspace.json(resumed)
        XCTAssertEqual((outcome["resumed"] as? [String])?.count, 1, resumed.output)
        objects = try s3.storageClasses(prefix: prefix)
        XCTAssertFalse(
            objects.keys.contains { $0.contains(ids[0]) || $0.contains(ids[1]) },
            "both expired backups are gone: \(objects.keys.sorted())")
        for id in ids[2...] {
            XCTAssertEqual(objects["backups/main/\(id)/db-0001.tar.zst.lbx"], "STANDARD_IA", "data objects move")
            XCTAssertEqual(objects["backups/main/\(id)/manifest.lbx"], "STANDARD", "metadata stays hot")
        }
        XCTAssertEqual(objects.keys.filter { $0.hasPrefix("prune/main/") }.count, 2)
        XCTAssertNil(objects["locks/cluster-main.lock"], "no lock left behind")
        let restore = try workspace.lifeboat(
            ["restore", "latest", "--database", source, "--target", env.url(database: source + "_ia")],
            environment: s3.credentials)
        defer { SampleDatabase.drop(env, source + "_ia") }
        XCTAssertEqual(restore.status, 0, "STANDARD_IA objects restore directly: " + restore.output)
    }

    func testGlacierBackupsAreRehydratedBeforeRestore() throws {
        let policy = """
            safety: { min_age: 1h }
            keep: { logical: { last: 5 } }
            tiering: [ { after: 2h, storage_class: GLACIER } ]
            """
        let (env, s3, workspace, source, prefix) = try prepare("s3glacier", policy: policy)
        let target = source + "_g"
        defer { SampleDatabase.drop(env, source, target) }
        let ids = try backups(workspace, s3, count: 1)
        let moved = try workspace.lifeboat(
            ["prune", "--now", PruneTests.isoString(Date().addingTimeInterval(3 * 3600))], environment: s3.credentials)
        XCTAssertEqual(moved.status, 0, moved.output)
        XCTAssertEqual(try s3.storageClasses(prefix: prefix)["backups/main/\(ids[0])/db-0001.tar.zst.lbx"], "GLACIER")

        let plan = try workspace.lifeboat(
            ["restore", "latest", "--database", source, "--target", env.url(database: target), "--dry-run"],
            environment: s3.credentials)
        XCTAssertEqual(plan.status, 0, plan.output)
        XCTAssertTrue(plan.stdout.contains("rehydrate"), "the plan accounts for the archive tier: " + plan.stdout)
        let first = try workspace.lifeboat(
            ["restore", "latest", "--database", source, "--target", env.url(database: target)],
            environment: s3.credentials)
        XCTAssertEqual(first.status, 1, first.output)
        XCTAssertTrue(first.stderr.contains("GLACIER") && first.stderr.contains("--wait"), first.stderr)
        // moto completes RestoreObject at once; --wait then finds the copy readable and restores.
        let waited = try workspace.lifeboat(
            [
                "restore", "latest", "--database", source, "--target", env.url(database: target), "--wait",
                "--rehydrate-poll", "0.2",
            ],
            environment: s3.credentials)
        XCTAssertEqual(waited.status, 0, waited.output)
        XCTAssertTrue(waited.stdout.contains("rows match"), waited.stdout)
    }

    func testObjectLockDefersDeletesPinsHoldAndImmutabilityIsVerified() throws {
        let policy = """
            safety: { min_age: 1h }
            keep: { logical: { last: 1, within: 30d } }
            immutability: { mode: governance, days: 2 }
            """
        let (env, s3, workspace, source, prefix) = try prepare(
            "s3lock", bucket: S3TestServer.require().lockedBucket, policy: policy)
        defer { SampleDatabase.drop(env, source) }
        let ids = try backups(workspace, s3, count: 2)
        let show = try workspace.json(try workspace.lifeboat(["show", ids[0], "--json"], environment: s3.credentials))
        XCTAssertEqual((show["object_lock"] as? [String: Any])?["mode"] as? String, "GOVERNANCE")
        let bucket = s3.lockedBucket
        let dataKey = "\(prefix)/backups/main/\(ids[0])/db-0001.tar.zst.lbx"
        let head = try s3.boto3(
            "h = s3.head_object(Bucket='\(bucket)', Key='\(dataKey)')\nprint(h['ObjectLockMode'], h['ObjectLockRetainUntilDate'].isoformat())"
        )
        XCTAssertTrue(head.hasPrefix("GOVERNANCE"), head)

        // within 30d outlasts a 2-day lock: every object of a kept backup is a finding (exit 3).
        let audit = try workspace.lifeboat(["verify", "--immutability", "--json"], environment: s3.credentials)
        XCTAssertEqual(audit.status, 3, audit.output)
        XCTAssertFalse(((try workspace.json(audit))["findings"] as? [Any] ?? []).isEmpty)
        // Pinning until beyond the retention extends the locks; an indefinite pin sets legal holds.
        let until = PruneTests.isoString(Date().addingTimeInterval(40 * 86_400))
        for id in ids {
            XCTAssertEqual(
                try workspace.lifeboat(["pin", id, "--until", until], environment: s3.credentials).status, 0)
        }
        let clean = try workspace.lifeboat(["verify", "--immutability"], environment: s3.credentials)
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertEqual(try workspace.lifeboat(["pin", ids[1]], environment: s3.credentials).status, 0)
        let hold = try s3.boto3(
            "print(s3.get_object_legal_hold(Bucket='\(bucket)', Key='\(prefix)/backups/main/\(ids[1])/db-0001.tar.zst.lbx')['LegalHold']['Status'])"
        )
        XCTAssertEqual(hold.trimmingCharacters(in: .whitespacesAndNewlines), "ON")
        XCTAssertEqual(try workspace.lifeboat(["unpin", ids[1]], environment: s3.credentials).status, 0)
        let released = try s3.boto3(
            "print(s3.get_object_legal_hold(Bucket='\(bucket)', Key='\(prefix)/backups/main/\(ids[1])/db-0001.tar.zst.lbx')['LegalHold']['Status'])"
        )
        XCTAssertEqual(released.trimmingCharacters(in: .whitespacesAndNewlines), "OFF")

        // 60 days on, the policy and the recorded lock say the older backup may go; S3 still holds its objects
        // (locked until 40 days from now in real time): the deletion is refused, reported, and nothing breaks.
        XCTAssertEqual(try workspace.lifeboat(["unpin", ids[0]], environment: s3.credentials).status, 0)
        let prune = try workspace.lifeboat(
            ["prune", "--now", PruneTests.isoString(Date().addingTimeInterval(60 * 86_400)), "--json"],
            environment: s3.credentials)
        XCTAssertEqual(prune.status, 0, prune.output)
        let result = try XCTUnwrap((try workspace.json(prune))["result"] as? [String: Any])
        XCTAssertFalse((result["deferred"] as? [Any] ?? []).isEmpty, prune.output)
        XCTAssertEqual((result["deleted_backups"] as? [String]) ?? ["?"], [])
        let listing = try workspace.lifeboat(["list", "--json"], environment: s3.credentials)
        XCTAssertTrue(listing.stdout.contains(ids[0]), "the locked backup is still complete and listed")
        XCTAssertEqual(try workspace.lifeboat(["verify", ids[0]], environment: s3.credentials).status, 0)
    }
}
