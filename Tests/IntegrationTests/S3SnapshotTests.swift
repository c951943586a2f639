// Snapshots and point-in-time restore on an s3:// repository: the source server's archive_command (running
// as the postgres OS user, without the test's environment) reads S3 credentials from a shared credentials
// file named by AWS_SHARED_CREDENTIALS_FILE, as an operator would configure it; the restored server's
// restore_command gets the restore's own credentials in a private file, never in the server's environment.
import Foundation
import PGClient
import XCTest

final class S3SnapshotTests: XCTestCase {
    func testSnapshotAndPointInTimeRestoreOnS3() throws {
        let env = try TestEnvironment.require()
        let process = ProcessInfo.processInfo.environment
        guard let endpoint = process["LIFEBOAT_TEST_S3_ENDPOINT"], let bucket = process["LIFEBOAT_TEST_S3_BUCKET"],
              let key = process["AWS_ACCESS_KEY_ID"], let secret = process["AWS_SECRET_ACCESS_KEY"] else {
            XCTFail("the S3 test server is not configured: run the suite with scripts/test.sh")
            return
        }
        let credentials = ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret]
        let workspace = try Workspace(env, name: "s3snap")
        XCTAssertEqual(try runLifeboat(env, ["key", "generate", "--output", workspace.keyFile]).status, 0)
        let prefix = "snap-\(UUID().uuidString.prefix(8).lowercased())"
        try """
            cluster: main
            postgres:
              url: "\(env.postgresURL)"
            repository:
              url: "s3://\(bucket)/\(prefix)"
              endpoint: "\(endpoint)"
              addressing: path
            encryption:
              key_file: \(workspace.keyFile)
            """.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let credentialsFile = workspace.directory + "/aws-credentials"
        try "[default]\naws_access_key_id = \(key)\naws_secret_access_key = \(secret)\n"
            .write(toFile: credentialsFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: credentialsFile)
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: credentials).status, 0)
        try chownToPostgres(workspace.directory)

        let admin = try env.admin()
        defer { admin.close() }
        let table = TestEnvironment.uniqueName("s3pitr")
        defer { try? admin.execute("DROP TABLE IF EXISTS \(table)") }
        try setArchiveCommand(admin, "AWS_SHARED_CREDENTIALS_FILE=\(credentialsFile) \(env.binary) --config \(workspace.configPath) --no-progress wal push %p")
        defer { try? WALArchiveTests.resetArchiveCommand(env) }
        try admin.execute("CREATE TABLE \(table) (id integer PRIMARY KEY, batch text)")

        let snapshot = try workspace.lifeboat(["backup", "--type", "snapshot"], environment: credentials)
        XCTAssertEqual(snapshot.status, 0, snapshot.output)
        try admin.execute("INSERT INTO \(table) SELECT i, 'A' FROM generate_series(1, 50) AS i")
        let segment = try XCTUnwrap(try admin.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil)
        try waitUntilArchived(admin, segment)

        let restored = workspace.directory + "/restored"
        defer { stopServer(restored) }
        let port = try freePort()
        let restore = try workspace.lifeboat(["restore", "latest", "--data-dir", restored, "--start", "--port", String(port)],
                                             environment: credentials)
        XCTAssertEqual(restore.status, 0, restore.output)
        XCTAssertEqual(try batches(port: port, table: table), ["A": 50], "WAL replayed from S3 after the snapshot")
        // restore_command read this run's S3 credentials from a private file, not from the server's environment.
        let pid = try XCTUnwrap(try String(contentsOfFile: restored + "/postmaster.pid", encoding: .utf8).split(separator: "\n").first)
        let environ = String(decoding: try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")), as: UTF8.self)
        XCTAssertFalse(environ.contains(secret) || environ.contains("AWS_ACCESS_KEY_ID="), "the restored server holds the S3 credentials")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: workspace.directory).filter { $0.contains(".credentials-") }, [],
                       "the credentials file is removed once the server is promoted")
        let window = try workspace.json(try workspace.lifeboat(["list", "--json"], environment: credentials))
        XCTAssertNotNil(window["recovery_window"], "\(window)")
    }
}
