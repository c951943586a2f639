// The same backup → verify → restore round trip on an s3:// repository (moto with SigV4 verification), with
// storage classes checked through the S3 API itself (boto3), and an interrupted multipart upload cleaned up.
import Foundation
import PGClient
import TestSupport
import XCTest

final class S3RepositoryTests: XCTestCase {
    func testRoundTripOnS3WithStorageClasses() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let source = TestEnvironment.uniqueName("s3src")
        let target = TestEnvironment.uniqueName("s3dst")
        defer { SampleDatabase.drop(env, source, target) }
        try SampleDatabase.create(env, name: source, rows: 8_000)
        let workspace = try Workspace(env)
        try workspace.generateKey()
        let prefix = "it-\(UUID().uuidString.prefix(8).lowercased())"
        try s3.writeConfig(workspace, prefix: prefix, database: source, repository: "  storage_class: STANDARD_IA")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: s3.credentials).status, 0)
        let backup = try workspace.lifeboat(["backup", "--database", source, "--json"], environment: s3.credentials)
        XCTAssertEqual(backup.status, 0, backup.output)
        XCTAssertEqual(try workspace.lifeboat(["verify", "--all"], environment: s3.credentials).status, 0)
        let restore = try workspace.lifeboat(
            ["restore", "latest", "--target", env.url(database: target)], environment: s3.credentials)
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertEqual(
            try SampleDatabase.fingerprints(env, database: target),
            try SampleDatabase.fingerprints(env, database: source))

        let classes = try s3.boto3(
            """
            out = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="\(s3.bucket)", Prefix="\(prefix)/"):
                for o in page.get("Contents", []): out[o["Key"]] = o.get("StorageClass", "STANDARD")
            print(json.dumps(out))
            """)
        let objects = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(classes.utf8)) as? [String: String])
        let data = objects.filter { $0.key.contains("/db-") }
        let manifests = objects.filter { $0.key.hasSuffix("manifest.lbx") }
        XCTAssertEqual(data.count, 1, "\(objects)")
        XCTAssertEqual(Set(data.values), ["STANDARD_IA"], "data objects use the configured class")
        XCTAssertEqual(Set(manifests.values), ["STANDARD"], "manifests stay hot")
        XCTAssertNil(objects.keys.first { $0.contains("/locks/") }, "no lock left behind")

        // list and show report the classes too; check reports bucket versioning and Object Lock.
        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"], environment: s3.credentials))
        let summary = try XCTUnwrap((listing["backups"] as? [[String: Any]])?.first)
        let listed = try XCTUnwrap(summary["storage_classes"] as? [String: String])
        XCTAssertEqual(listed["manifest.lbx"], "STANDARD")
        XCTAssertEqual(listed.filter { $0.key.hasPrefix("db-") }.values.first, "STANDARD_IA")
        let shown = try workspace.lifeboat(["show", "latest"], environment: s3.credentials)
        XCTAssertTrue(shown.stdout.contains("STANDARD_IA"), shown.stdout)
        let check = try workspace.lifeboat(["check"], environment: s3.credentials)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.stdout.contains("bucket versioning"), check.stdout)
        XCTAssertTrue(check.stdout.contains("object lock not enabled"), check.stdout)

        let wrong = try workspace.lifeboat(
            ["list"],
            environment: ["AWS_ACCESS_KEY_ID": s3.credentials["AWS_ACCESS_KEY_ID"]!, "AWS_SECRET_ACCESS_KEY": "wrong"])
        XCTAssertEqual(wrong.status, 2, wrong.output)
        XCTAssertTrue(wrong.stderr.lowercased().contains("signature"), wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("HINT:"), wrong.stderr)
    }

    func testMissingBucketIsAConfigurationErrorWithAHint() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let workspace = try Workspace(env)
        try workspace.generateKey()
        try s3.writeConfig(workspace, prefix: "x", database: "postgres")
        let yaml = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        try yaml.replacingOccurrences(of: "s3://\(s3.bucket)/", with: "s3://no-such-bucket-lifeboat/")
            .write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let result = try workspace.lifeboat(["init"], environment: s3.credentials)
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("no-such-bucket-lifeboat"), result.stderr)
        XCTAssertTrue(result.stderr.contains("HINT:"), result.stderr)
    }

    func testInterruptedMultipartUploadLeavesNoBackupAndNoIncompleteUpload() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let source = TestEnvironment.uniqueName("s3kill")
        defer { SampleDatabase.drop(env, source) }
        // Incompressible rows so the dump needs several 5 MiB parts.
        let admin = try env.admin()
        try admin.execute("CREATE DATABASE \(source)")
        admin.close()
        let db = try PGConnection(try env.connectionInfo(database: source))
        try db.execute(
            "CREATE TABLE blobs AS SELECT i, decode(string_agg(md5(i::text || j::text), ''), 'hex') AS b FROM generate_series(1, 6000) i, generate_series(1, 200) j GROUP BY i"
        )
        db.close()
        let workspace = try Workspace(env)
        try workspace.generateKey()
        let prefix = "kill-\(UUID().uuidString.prefix(8).lowercased())"
        try s3.writeConfig(
            workspace, prefix: prefix, database: source, endpoint: s3.proxy,
            repository: "  part_size: 5MiB")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: s3.credentials).status, 0)

        // Part 2 is held back by the proxy: the backup is mid-upload when it is terminated.
        _ = try s3.boto3("pass")
        try s3.queueFaults(json: #"[{"match": "partNumber=2", "delay": 30}]"#)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.binary)
        process.arguments = ["--config", workspace.configPath, "--no-progress", "backup", "--database", source]
        process.environment = ProcessInfo.processInfo.environment.merging(s3.credentials) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        // Part 1 is stored while part 2 waits in the proxy: the upload is under way.
        func partOneStored() throws -> Bool {
            try s3.proxyLog().contains { ($0["path"] as? String ?? "").contains("partNumber=1") }
        }
        while Date() < deadline, try !partOneStored() {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let killed = Date()
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertLessThan(Date().timeIntervalSince(killed), 10, "an interrupt must not wait for parts in flight")
        try s3.clearFaults()

        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"], environment: s3.credentials))
        XCTAssertEqual((listing["backups"] as? [Any])?.count, 0)
        let leftovers = try s3.boto3(
            """
            u = s3.list_multipart_uploads(Bucket="\(s3.bucket)", Prefix="\(prefix)/").get("Uploads", [])
            o = s3.list_objects_v2(Bucket="\(s3.bucket)", Prefix="\(prefix)/backups/").get("KeyCount", 0)
            print(len(u), o)
            """)
        XCTAssertEqual(
            leftovers.trimmingCharacters(in: .whitespacesAndNewlines), "0 0", "incomplete uploads / objects left behind"
        )
    }
}
