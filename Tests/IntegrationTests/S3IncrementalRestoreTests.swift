// An incremental chain restored from an s3:// repository stages nothing: TMPDIR (pointed at an empty directory)
// stays empty, nothing but the data directory and the credentials directory appears beside it, and the data
// directory takes about its own apparent size (the unsupplied blocks are holes). The restored server then has
// exactly the source's rows.
import Foundation
import PGClient
import TestSupport
import XCTest

final class S3IncrementalRestoreTests: XCTestCase {
    func testAChainRestoresFromS3WithoutStaging() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let credentials = s3.credentials
        let credentialsFile: (Workspace) -> String = { $0.directory + "/aws-credentials" }
        let options = ArchivingOptions(
            table: IncrementalRestoreTests.table,
            prepare: { workspace in
                try workspace.generateKey()
                let prefix = "incr-\(UUID().uuidString.prefix(8).lowercased())"
                try s3.writeConfig(workspace, prefix: prefix, database: "postgres")
                try "[default]\naws_access_key_id = \(s3.accessKeyID)\naws_secret_access_key = \(s3.secretAccessKey)\n"
                    .write(toFile: credentialsFile(workspace), atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes(
                    [.posixPermissions: 0o600], ofItemAtPath: credentialsFile(workspace))
                XCTAssertEqual(try workspace.lifeboat(["init"], environment: credentials).status, 0)
            }, archiveEnvironment: { ["AWS_SHARED_CREDENTIALS_FILE": credentialsFile($0)] }, snapshot: false)
        let scenario = try archivingScenario(env, name: "s3incr", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        try enableWALSummaries(admin)
        try admin.execute(
            "INSERT INTO \(table) SELECT i, 'base', md5(i::text) FROM generate_series(1, 20000) AS i")
        _ = try chainSnapshot(workspace, incremental: false, environment: credentials)
        try admin.execute("UPDATE \(table) SET batch = 'one' WHERE id % 40 = 0")
        _ = try chainSnapshot(workspace, incremental: true, environment: credentials)
        try admin.execute("INSERT INTO \(table) SELECT i, 'two', md5(i::text) FROM generate_series(20001, 20500) AS i")
        let expected = try rowFingerprint(admin, table: table)
        try waitUntilArchived(admin, try scenario.switchWAL())

        let temporary = workspace.directory + "/tmp"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: workspace.directory))
        let restored = workspace.directory + "/restored"
        defer { stopServer(restored) }
        var environment = credentials
        environment["TMPDIR"] = temporary
        let restore = try workspace.lifeboat(
            ["restore", "latest", "--data-dir", restored, "--json"], environment: environment)
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary), [], "nothing staged in TMPDIR")
        let added = Set(try FileManager.default.contentsOfDirectory(atPath: workspace.directory)).subtracting(before)
        XCTAssertEqual(
            added.filter { !$0.hasPrefix("restored.credentials-") }, ["restored"], "nothing staged beside the target")
        let chain = try XCTUnwrap(try workspace.json(restore)["chain"] as? [[String: Any]])
        XCTAssertEqual(chain.count, 2, restore.stdout)
        let apparent = try bytes(["--apparent-size"], restored)
        let allocated = try bytes([], restored)
        XCTAssertLessThan(
            Double(allocated), 1.1 * Double(apparent) + Double(4 << 20),
            "the data directory takes \(allocated) B for \(apparent) B of files")

        let port = try freePort()
        try restartServer(restored, port: port, settings: ["archive_mode=off"])
        let connection = try waitUntilPromoted(port: port)
        defer { connection.close() }
        XCTAssertEqual(try rowFingerprint(connection, table: table), expected)
    }

    /// `du -s -B1` of a directory (with `--apparent-size`: the files' lengths; without: the blocks allocated).
    func bytes(_ options: [String], _ directory: String) throws -> Int {
        let run = try ProcessRunner.run("/usr/bin/du", ["-s", "-B1"] + options + [directory])
        XCTAssertEqual(run.status, 0, run.output)
        return Int(run.stdout.split(separator: "\t").first ?? "") ?? 0
    }
}
