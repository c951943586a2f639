// Storage faults (docs/faults.md): an S3 error at every request index of a backup and of a restore, through the
// fault proxy (500 InternalError, 503 SlowDown, a connection reset, a response cut short); a repository on a
// full file system; a read-only repository. After each: the run completed or failed cleanly (exit 0, or 1 with
// a message), nothing listed is broken, no multipart upload or lock is left, and a failed restore left no
// half-restored database behind.
import Foundation
import PGClient
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class StorageFaultTests: XCTestCase {
    static var faultKinds: [(String, [String: Any])] {
        [
            ("500 InternalError", ["status": 500, "code": "InternalError"]),
            ("503 SlowDown", ["status": 503, "code": "SlowDown"]),
            ("connection reset", ["drop_request": true]),
            ("response cut short", ["drop_after_bytes": 7]),
        ]
    }

    func testS3BackupAndRestoreSurviveAFaultAtEveryRequestIndex() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let source = TestEnvironment.uniqueName("s3faults")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 300)
        let workspace = try Workspace(env, name: "s3faults")
        try workspace.generateKey()
        let prefix = "faults-\(UUID().uuidString.prefix(8).lowercased())"
        try s3.writeConfig(workspace, prefix: prefix, database: source, endpoint: s3.proxy)
        let run = { (arguments: [String]) in try workspace.lifeboat(arguments, environment: s3.credentials) }
        XCTAssertEqual(try run(["init"]).status, 0)
        defer { try? s3.clearFaults() }

        // How many requests a clean backup and a clean restore make.
        try s3.clearFaults()
        XCTAssertEqual(try run(["backup", "--database", source]).status, 0)
        let backupRequests = try s3.proxyLog().count
        try s3.clearFaults()
        let probe = TestEnvironment.uniqueName("s3probe")
        XCTAssertEqual(try run(["restore", "latest", "--target", env.url(database: probe)]).status, 0)
        SampleDatabase.drop(env, probe)
        let restoreRequests = try s3.proxyLog().count
        XCTAssertGreaterThan(backupRequests, 5)
        XCTAssertGreaterThan(restoreRequests, 3)
        let sourceRows = try SampleDatabase.fingerprints(env, database: source)

        for index in 0..<backupRequests {
            for (name, fault) in kinds(index) {
                let before = try XCTUnwrap(try workspace.listedIDs(with: s3.credentials))
                try queue(s3, fault, at: index)
                let result = try run(["backup", "--database", source, "--json"])
                try s3.clearFaults()
                var broken = cleanFailure(result)
                let after = try workspace.listedIDs(with: s3.credentials) ?? []
                if result.status == 0 && after.count != before.count + 1 {
                    broken.append("exit 0 but \(after.count - before.count) new backups listed")
                }
                if result.status != 0 && after != before { broken.append("a failed backup is listed") }
                let verify = try run(["verify", "--all"])
                if verify.status != 0 { broken.append("verify --all exits \(verify.status): \(verify.stderr)") }
                broken += try leftovers(s3, prefix: prefix)
                report(
                    "backup (s3)", index: index, fault: name, status: result.status, broken: broken,
                    checked: after.count)
                XCTAssertEqual(broken, [], "backup with \(name) at request \(index): \(result.stderr)")
            }
        }

        for index in 0..<restoreRequests {
            for (name, fault) in kinds(index) {
                let target = TestEnvironment.uniqueName("s3restore")
                defer { SampleDatabase.drop(env, target) }
                try queue(s3, fault, at: index)
                let result = try run(["restore", "latest", "--target", env.url(database: target)])
                try s3.clearFaults()
                var broken = cleanFailure(result)
                if result.status == 0 {
                    if try SampleDatabase.fingerprints(env, database: target) != sourceRows {
                        broken.append("restored rows differ")
                    }
                } else if try databaseExists(env, target) {
                    broken.append("a failed restore left the database '\(target)' behind")
                }
                report("restore (s3)", index: index, fault: name, status: result.status, broken: broken, checked: 1)
                XCTAssertEqual(broken, [], "restore with \(name) at request \(index): \(result.stderr)")
            }
        }
    }

    func testFullAndReadOnlyLocalRepositories() throws {
        let env = try TestEnvironment.require()
        guard getuid() == 0 else { throw XCTSkip("mounting a small file system needs root") }
        let source = TestEnvironment.uniqueName("enospc")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 20_000)
        let workspace = try Workspace(env, name: "enospc")
        let mountPoint = workspace.directory + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        XCTAssertEqual(try shellStatus("mount -t tmpfs -o size=256k tmpfs '\(mountPoint)'"), 0)
        defer { _ = try? shellStatus("umount -l '\(mountPoint)'") }
        try workspace.generateKey()
        try workspace.writeConfig(database: source)
        let config = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
            .replacingOccurrences(of: "file://\(workspace.repository)", with: "file://\(mountPoint)/repository")
        try config.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(try workspace.lifeboat(["init"]).status, 0)

        // Full: the backup fails with ENOSPC named and a hint, nothing is listed, no temporary file or lock stays.
        let full = try workspace.lifeboat(["backup", "--database", source])
        var broken = cleanFailure(full)
        if full.status == 0 { broken.append("a backup larger than the file system succeeded") }
        if !full.stderr.contains("No space left on device") { broken.append("ENOSPC is not named: \(full.stderr)") }
        if !full.stderr.contains("HINT: free space") { broken.append("no hint to free space: \(full.stderr)") }
        if try workspace.listedIDs() != [] { broken.append("the failed backup is listed") }
        let repository = mountPoint + "/repository"
        for directory in [".tmp", "locks"] {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: repository + "/" + directory)) ?? []
            if !left.isEmpty { broken.append("\(directory) not empty after ENOSPC: \(left)") }
        }
        let objects =
            (try? FileManager.default.subpathsOfDirectory(atPath: repository + "/backups"))?.filter {
                $0.hasSuffix(".lbx")
            } ?? []
        if !objects.isEmpty { broken.append("objects of the failed backup stayed: \(objects)") }
        report("backup (full file system)", index: 0, fault: "ENOSPC", status: full.status, broken: broken, checked: 0)
        XCTAssertEqual(broken, [])

        // A small backup fits; then the file system turns read-only: reads and restores work, writers fail cleanly.
        let small = TestEnvironment.uniqueName("small")
        defer { SampleDatabase.drop(env, small) }
        try PGConnection(try env.connectionInfo(database: "postgres")).execute("CREATE DATABASE \(small)")
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", small]).status, 0)
        XCTAssertEqual(try shellStatus("mount -o remount,ro '\(mountPoint)'"), 0)
        let listed = try workspace.listedIDs()
        XCTAssertEqual(listed?.count, 1)
        XCTAssertEqual(try workspace.lifeboat(["verify", "--all"]).status, 0)
        let target = TestEnvironment.uniqueName("fromro")
        defer { SampleDatabase.drop(env, target) }
        let restored = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target)])
        XCTAssertEqual(restored.status, 0, restored.output)
        let refused = try workspace.lifeboat(["backup", "--database", small])
        broken = cleanFailure(refused)
        if refused.status == 0 { broken.append("a backup into a read-only repository succeeded") }
        if !refused.stderr.contains("Read-only file system") { broken.append("EROFS is not named: \(refused.stderr)") }
        report(
            "backup (read-only file system)", index: 0, fault: "EROFS", status: refused.status, broken: broken,
            checked: 1)
        XCTAssertEqual(broken, [])
    }

    // MARK: helpers

    /// The fast subset tries one kind of fault per index (rotating); the full suite tries every kind at every index.
    func kinds(_ index: Int) -> [(String, [String: Any])] {
        FaultSuite.full ? Self.faultKinds : [Self.faultKinds[index % Self.faultKinds.count]]
    }

    func queue(_ s3: S3TestServer, _ fault: [String: Any], at index: Int) throws {
        try s3.clearFaults()
        try s3.queueFaults(Array(repeating: ["pass": true], count: index) + [fault])
    }

    /// A run either succeeds or fails with exit 1 and an error message: never a crash, another code, or silence.
    func cleanFailure(_ result: RunResult) -> [String] {
        guard result.status != 0 else { return [] }
        if result.status != 1 { return ["exit \(result.status) instead of 0 or 1: \(result.stderr)"] }
        if !result.stderr.contains("error: ") { return ["failed without an error message"] }
        return []
    }

    func leftovers(_ s3: S3TestServer, prefix: String) throws -> [String] {
        let output = try s3.boto3(
            """
            u = s3.list_multipart_uploads(Bucket='\(s3.bucket)', Prefix='\(prefix)/').get('Uploads', [])
            l = s3.list_objects_v2(Bucket='\(s3.bucket)', Prefix='\(prefix)/locks/').get('KeyCount', 0)
            print(len(u), l)
            """
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        return output == "0 0" ? [] : ["multipart uploads and locks left: \(output)"]
    }

    func databaseExists(_ env: TestEnvironment, _ name: String) throws -> Bool {
        let admin = try env.admin()
        defer { admin.close() }
        return try !admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rows.isEmpty
    }

    func report(_ scenario: String, index: Int, fault: String, status: Int32, broken: [String], checked: Int) {
        guard let path = ProcessInfo.processInfo.environment["LIFEBOAT_FAULTS_REPORT"] else { return }
        FaultSuite.appendJSONLine(
            [
                "suite": "storage", "scenario": scenario, "point": "request \(index)", "action": fault,
                "status": Int(status), "broken": broken, "backups_checked": checked,
            ], to: path)
    }
}

extension Workspace {
    func listedIDs(with environment: [String: String]) throws -> [String]? {
        let listed = try lifeboat(["list", "--json"], environment: environment)
        guard listed.status == 0, let object = try? json(listed) else { return nil }
        return (object["backups"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
    }
}
