// The same backup → verify → restore round trip on an s3:// repository (moto with SigV4 verification), with
// storage classes checked through the S3 API itself (boto3), and an interrupted multipart upload cleaned up.
import Foundation
import PGClient
import XCTest

final class S3RepositoryTests: XCTestCase {
    struct S3Env {
        let endpoint: String
        let proxy: String
        let bucket: String
        let credentials: [String: String]
    }

    func s3(file: StaticString = #filePath, line: UInt = #line) throws -> S3Env {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["LIFEBOAT_TEST_S3_ENDPOINT"], let proxy = env["LIFEBOAT_TEST_S3_PROXY"],
              let bucket = env["LIFEBOAT_TEST_S3_BUCKET"], let key = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"] else {
            XCTFail("the S3 test server is not configured: run the suite with scripts/test.sh", file: file, line: line)
            throw XCTSkip("unreachable")
        }
        return S3Env(endpoint: endpoint, proxy: proxy, bucket: bucket, credentials: ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret])
    }

    func s3Config(_ workspace: Workspace, _ s3: S3Env, prefix: String, database: String, endpoint: String? = nil, extra: String = "") throws {
        let yaml = """
            cluster: main
            postgres:
              url: "\(workspace.env.url(database: database))"
            repository:
              url: "s3://\(s3.bucket)/\(prefix)"
              endpoint: "\(endpoint ?? s3.endpoint)"
              region: us-east-1
              addressing: path
            \(extra)
            encryption:
              key_file: \(workspace.keyFile)
            """
        try yaml.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
    }

    /// Runs a boto3 snippet against the test server; `objects` maps key → storage class.
    func boto3(_ s3: S3Env, _ code: String) throws -> String {
        let script = """
            import boto3, json, sys
            s3 = boto3.client("s3", endpoint_url="\(s3.endpoint)", region_name="us-east-1")
            \(code)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.environment = ProcessInfo.processInfo.environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "boto3 script failed")
        return String(decoding: data, as: UTF8.self)
    }

    func testRoundTripOnS3WithStorageClasses() throws {
        let env = try TestEnvironment.require(), s3 = try s3()
        let source = TestEnvironment.uniqueName("s3src"), target = TestEnvironment.uniqueName("s3dst")
        defer { SampleDatabase.drop(env, source, target) }
        try SampleDatabase.create(env, name: source, rows: 8_000)
        let workspace = try Workspace(env)
        XCTAssertEqual(try runLifeboat(env, ["key", "generate", "--output", workspace.keyFile]).status, 0)
        let prefix = "it-\(UUID().uuidString.prefix(8).lowercased())"
        try s3Config(workspace, s3, prefix: prefix, database: source, extra: "  storage_class: STANDARD_IA")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: s3.credentials).status, 0)
        let backup = try workspace.lifeboat(["backup", "--database", source, "--json"], environment: s3.credentials)
        XCTAssertEqual(backup.status, 0, backup.output)
        XCTAssertEqual(try workspace.lifeboat(["verify", "--all"], environment: s3.credentials).status, 0)
        let restore = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target)], environment: s3.credentials)
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertEqual(try SampleDatabase.fingerprints(env, database: target), try SampleDatabase.fingerprints(env, database: source))

        let classes = try boto3(s3, """
            out = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="\(s3.bucket)", Prefix="\(prefix)/"):
                for o in page.get("Contents", []): out[o["Key"]] = o.get("StorageClass", "STANDARD")
            print(json.dumps(out))
            """)
        let objects = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(classes.utf8)) as? [String: String])
        let data = objects.filter { $0.key.contains("/db-") }, manifests = objects.filter { $0.key.hasSuffix("manifest.lbx") }
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

        let wrong = try workspace.lifeboat(["list"], environment: ["AWS_ACCESS_KEY_ID": s3.credentials["AWS_ACCESS_KEY_ID"]!, "AWS_SECRET_ACCESS_KEY": "wrong"])
        XCTAssertEqual(wrong.status, 2, wrong.output)
        XCTAssertTrue(wrong.stderr.lowercased().contains("signature"), wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("HINT:"), wrong.stderr)
    }

    func testMissingBucketIsAConfigurationErrorWithAHint() throws {
        let env = try TestEnvironment.require(), s3 = try s3()
        let workspace = try Workspace(env)
        XCTAssertEqual(try runLifeboat(env, ["key", "generate", "--output", workspace.keyFile]).status, 0)
        try s3Config(workspace, s3, prefix: "x", database: "postgres")
        let yaml = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        try yaml.replacingOccurrences(of: "s3://\(s3.bucket)/", with: "s3://no-such-bucket-lifeboat/")
            .write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let result = try workspace.lifeboat(["init"], environment: s3.credentials)
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("no-such-bucket-lifeboat"), result.stderr)
        XCTAssertTrue(result.stderr.contains("HINT:"), result.stderr)
    }

    func testInterruptedMultipartUploadLeavesNoBackupAndNoIncompleteUpload() throws {
        let env = try TestEnvironment.require(), s3 = try s3()
        let source = TestEnvironment.uniqueName("s3kill")
        defer { SampleDatabase.drop(env, source) }
        // Incompressible rows so the dump needs several 5 MiB parts.
        let admin = try env.admin()
        try admin.execute("CREATE DATABASE \(source)")
        admin.close()
        let db = try PGConnection(try env.connectionInfo(database: source))
        try db.execute("CREATE TABLE blobs AS SELECT i, decode(string_agg(md5(i::text || j::text), ''), 'hex') AS b FROM generate_series(1, 6000) i, generate_series(1, 200) j GROUP BY i")
        db.close()
        let workspace = try Workspace(env)
        XCTAssertEqual(try runLifeboat(env, ["key", "generate", "--output", workspace.keyFile]).status, 0)
        let prefix = "kill-\(UUID().uuidString.prefix(8).lowercased())"
        try s3Config(workspace, s3, prefix: prefix, database: source, endpoint: s3.proxy, extra: "  part_size: 5MiB")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: s3.credentials).status, 0)

        // Part 2 is held back by the proxy: the backup is mid-upload when it is terminated.
        _ = try boto3(s3, "pass")
        S3StoreFaults.queue(s3.proxy, #"[{"match": "partNumber=2", "delay": 30}]"#)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.binary)
        process.arguments = ["--config", workspace.configPath, "--no-progress", "backup", "--database", source]
        process.environment = ProcessInfo.processInfo.environment.merging(s3.credentials) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        // Part 1 is stored while part 2 waits in the proxy: the upload is under way.
        while Date() < deadline, !S3StoreFaults.log(s3.proxy).contains(where: { ($0["path"] as? String ?? "").contains("partNumber=1") }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let killed = Date()
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertLessThan(Date().timeIntervalSince(killed), 10, "an interrupt must not wait for parts in flight")
        S3StoreFaults.clear(s3.proxy)

        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"], environment: s3.credentials))
        XCTAssertEqual((listing["backups"] as? [Any])?.count, 0)
        let leftovers = try boto3(s3, """
            u = s3.list_multipart_uploads(Bucket="\(s3.bucket)", Prefix="\(prefix)/").get("Uploads", [])
            o = s3.list_objects_v2(Bucket="\(s3.bucket)", Prefix="\(prefix)/backups/").get("KeyCount", 0)
            print(len(u), o)
            """)
        XCTAssertEqual(leftovers.trimmingCharacters(in: .whitespacesAndNewlines), "0 0", "incomplete uploads / objects left behind")
    }
}

/// Talks to scripts/fault-proxy.py's control endpoint.
enum S3StoreFaults {
    static func curl(_ arguments: [String]) -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-sS"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try? process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }

    static func queue(_ proxy: String, _ json: String) { _ = curl(["-X", "POST", "--data-binary", json, proxy + "/__faults__"]) }
    static func clear(_ proxy: String) { _ = curl(["-X", "DELETE", proxy + "/__faults__"]) }
    static func log(_ proxy: String) -> [[String: Any]] {
        let object = try? JSONSerialization.jsonObject(with: curl([proxy + "/__faults__"])) as? [String: Any]
        return object?["log"] as? [[String: Any]] ?? []
    }
}
