// Exclusive create is proved, not assumed (#11 defect 7): `check` creates a probe key twice on the configured
// repository and expects the second create refused; a store that accepts it (here: the fault proxy answers the
// second conditional PUT with 200 without forwarding it, as a server that ignores If-None-Match would) fails
// the check with a hint, and a backup refuses to run on it, leaving no lock behind.
import Foundation
import TestSupport
import XCTest

final class ExclusiveCreateTests: XCTestCase {
    func testCheckProvesExclusiveCreateOnAFileRepository() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.initialize()
        let check = try workspace.lifeboat(["check"])
        XCTAssertTrue(check.stdout.contains("ok   exclusive create: honoured"), check.stdout)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: workspace.repository + "/locks"), [], "the probe stayed"
        )
    }

    func testAStoreIgnoringIfNoneMatchFailsCheckAndIsRefusedByWriters() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let workspace = try Workspace(env)
        try workspace.generateKey()
        let prefix = "exclusive-\(UUID().uuidString.prefix(8).lowercased())"
        try s3.writeConfig(workspace, prefix: prefix, database: "postgres", endpoint: s3.proxy)
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: s3.credentials).status, 0)
        defer { try? s3.clearFaults() }

        let honest = try workspace.lifeboat(["check"], environment: s3.credentials)
        XCTAssertTrue(honest.stdout.contains("ok   exclusive create: honoured"), honest.stdout)

        try s3.clearFaults()
        try s3.queueFaults([["match": ".probe", "pass": true], ["match": ".probe", "status": 200]])
        let check = try workspace.lifeboat(["check"], environment: s3.credentials)
        XCTAssertNotEqual(check.status, 0, check.output)
        XCTAssertTrue(
            check.stdout.contains(
                "FAIL exclusive create: repository 's3://\(s3.bucket)/\(prefix)' does not honour exclusive create"),
            check.stdout)
        XCTAssertTrue(check.stdout.contains("If-None-Match"), check.stdout)

        try s3.clearFaults()
        try s3.queueFaults([
            ["match": "cluster-main.lock", "pass": true], ["match": "cluster-main.lock", "status": 200],
        ])
        let backup = try workspace.lifeboat(["backup", "--database", "postgres"], environment: s3.credentials)
        XCTAssertEqual(backup.status, 1, backup.output)
        XCTAssertTrue(backup.stderr.contains("does not honour exclusive create"), backup.stderr)
        let keys = try s3.boto3(
            """
            r = s3.list_objects_v2(Bucket='\(s3.bucket)', Prefix='\(prefix)/')
            print(json.dumps([o['Key'] for o in r.get('Contents', [])]))
            """)
        XCTAssertFalse(keys.contains("/locks/"), "the refused run left its lock: \(keys)")
        XCTAssertFalse(keys.contains("/backups/"), "the refused run wrote backup objects: \(keys)")

        // wal push: the record's second create is accepted too, so the push fails loudly (PostgreSQL retries).
        let segment = try WALSegmentFiles(env).write(0x0F10, into: workspace.directory + "/pg_wal")
        try s3.clearFaults()
        try s3.queueFaults([["match": ".meta.lbx", "pass": true], ["match": ".meta.lbx", "status": 200]])
        let pushed = try workspace.lifeboat(["wal", "push", segment], environment: s3.credentials)
        XCTAssertEqual(pushed.status, 1, pushed.output)
        XCTAssertTrue(pushed.stderr.contains("does not honour exclusive create"), pushed.stderr)
    }
}
