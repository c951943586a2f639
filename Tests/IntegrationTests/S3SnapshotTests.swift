// Snapshots and point-in-time restore on an s3:// repository: the source server's archive_command (running
// as the postgres OS user, without the test's environment) reads S3 credentials from a shared credentials
// file named by AWS_SHARED_CREDENTIALS_FILE, as an operator would configure it; the restored server's
// restore_command gets the restore's own credentials in a private file, never in the server's environment.
import Foundation
import PGClient
import TestSupport
import XCTest

final class S3SnapshotTests: XCTestCase {
    func testSnapshotAndPointInTimeRestoreOnS3() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let credentials = s3.credentials
        let secret = s3.secretAccessKey
        let credentialsFile: (Workspace) -> String = { $0.directory + "/aws-credentials" }
        let options = ArchivingOptions(
            prepare: { workspace in
                try workspace.generateKey()
                let prefix = "snap-\(UUID().uuidString.prefix(8).lowercased())"
                try s3.writeConfig(workspace, prefix: prefix, database: "postgres")
                try "[default]\naws_access_key_id = \(s3.accessKeyID)\naws_secret_access_key = \(secret)\n"
                    .write(toFile: credentialsFile(workspace), atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes(
                    [.posixPermissions: 0o600], ofItemAtPath: credentialsFile(workspace))
                XCTAssertEqual(try workspace.lifeboat(["init"], environment: credentials).status, 0)
            }, archiveEnvironment: { ["AWS_SHARED_CREDENTIALS_FILE": credentialsFile($0)] }, environment: credentials)
        let scenario = try archivingScenario(env, name: "s3pitr", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)

        try admin.execute("INSERT INTO \(table) SELECT i, 'A' FROM generate_series(1, 50) AS i")
        try waitUntilArchived(admin, try scenario.switchWAL())

        let restored = workspace.directory + "/restored"
        defer { stopServer(restored) }
        let port = try freePort()
        let restore = try workspace.lifeboat(
            ["restore", "latest", "--data-dir", restored, "--start", "--port", String(port)],
            environment: credentials)
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertEqual(try batches(port: port, table: table), ["A": 50], "WAL replayed from S3 after the snapshot")
        // restore_command read this run's S3 credentials from a private file, not from the server's environment.
        let pid = try XCTUnwrap(
            try String(contentsOfFile: restored + "/postmaster.pid", encoding: .utf8).split(separator: "\n").first)
        let environ = String(
            decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")), as: UTF8.self)
        XCTAssertFalse(
            environ.contains(secret) || environ.contains("AWS_ACCESS_KEY_ID="),
            "the restored server holds the S3 credentials")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: workspace.directory).filter {
                $0.contains(".credentials-")
            }, [],
            "the credentials file is removed once the server is promoted")
        let window = try workspace.json(try workspace.lifeboat(["list", "--json"], environment: credentials))
        XCTAssertNotNil(window["recovery_window"], "\(window)")
    }
}
