// Bad input and broken environments give the documented exit code and a message that names the problem.
import Foundation
import PGClient
import XCTest

final class FailureModeTests: XCTestCase {
    func testBadConfigurationNamesKeyLineAndAcceptedValues() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.writeConfig(extra: "compresion: { algorithm: zstd }")
        let result = try workspace.lifeboat(["list"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("compresion"), result.stderr)
        XCTAssertTrue(result.stderr.contains("line 9"), result.stderr)
        XCTAssertTrue(result.stderr.contains("compression"), "accepted keys listed: \(result.stderr)")

        try workspace.writeConfig()
        let yaml = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
            .replacingOccurrences(of: "file://\(workspace.repository)", with: "ftp://example/x")
        try yaml.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let scheme = try workspace.lifeboat(["list"])
        XCTAssertEqual(scheme.status, 2, scheme.output)
        XCTAssertTrue(scheme.stderr.contains("s3://"), scheme.stderr)

        let missing = try runLifeboat(env, ["--config", workspace.directory + "/nope.yml", "list"])
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.stderr.contains("nope.yml"), missing.stderr)
    }

    func testUnreachableServerIsAnOperationFailureWithoutThePassword() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.initialize()
        try workspace.writeConfig(postgresURL: "postgresql://postgres:hunter2-secret@127.0.0.1:1/postgres")
        let result = try workspace.lifeboat(["backup"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("127.0.0.1"), result.stderr)
        XCTAssertFalse(result.output.contains("hunter2-secret"), "password leaked: \(result.output)")
        XCTAssertTrue(try workspace.backupObjects().isEmpty)
    }

    func testMalformedConnectionStringIsAUsageError() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.initialize()
        try workspace.writeConfig(postgresURL: "host=127.0.0.1 port=5432 password=hunter2-secret bogus_option=1")
        let result = try workspace.lifeboat(["backup"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("invalid connection string"), result.stderr)
        XCTAssertFalse(result.output.contains("hunter2-secret"), "password leaked: \(result.output)")
    }

    func testMissingPgDumpIsAConfigurationError() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.initialize()
        let empty = workspace.directory + "/empty-bin"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try workspace.writeConfig(extra: "")  // keep the same repository and key
        var yaml = try String(contentsOfFile: workspace.configPath, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "postgres:\n", with: "postgres:\n  bin_dir: \(empty)\n")
        try yaml.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        let result = try workspace.lifeboat(["backup", "--database", "postgres"], environment: ["PATH": empty])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("'pg_dump' not found"), result.stderr)
        XCTAssertTrue(result.stderr.contains("bin_dir"), result.stderr)
        XCTAssertTrue(try workspace.backupObjects().isEmpty, "a failed backup leaves no objects")
    }

    func testHeldLockIsRefusedWithTheHolderNamed() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.initialize()
        // pid 1 is alive on this host, so the lock is not stale.
        let holder =
            #"{"command":"lifeboat backup","host":"\#(ProcessInfo.processInfo.hostName)","pid":1,"started":"2026-11-21T03:00:00Z"}"#
        try FileManager.default.createDirectory(
            atPath: workspace.repository + "/locks", withIntermediateDirectories: true)
        try holder.write(toFile: workspace.repository + "/locks/cluster-main.lock", atomically: true, encoding: .utf8)
        let result = try workspace.lifeboat(["backup", "--database", "postgres"])
        XCTAssertEqual(result.status, 5, result.output)
        XCTAssertTrue(result.stderr.contains("pid 1"), result.stderr)
        XCTAssertTrue(result.stderr.contains("lifeboat backup"), result.stderr)
    }

    func testFailingPgDumpCommitsNothingAndShowsItsError() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("denied")
        let role = TestEnvironment.uniqueName("reader")
        let admin = try env.admin()
        defer {
            SampleDatabase.drop(env, source)
            try? admin.execute("DROP ROLE IF EXISTS \(role)")
            admin.close()
        }
        try SampleDatabase.create(env, name: source, rows: 10)
        try admin.execute("CREATE ROLE \(role) LOGIN")
        let db = try PGConnection(try env.connectionInfo(database: source))
        try db.execute("REVOKE ALL ON customers FROM PUBLIC")  // the role cannot read customers: pg_dump fails
        db.close()
        let workspace = try Workspace(env)
        try workspace.initialize()
        let url = env.url(database: source).replacingOccurrences(of: "postgres@", with: "\(role)@")
        try workspace.writeConfig(postgresURL: url)
        let result = try workspace.lifeboat(["backup", "--database", source])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.stderr.contains("pg_dump failed"), result.stderr)
        XCTAssertTrue(result.stderr.contains("permission denied"), result.stderr)
        XCTAssertTrue(result.stderr.contains("nothing was committed"), result.stderr)
        let leftovers = try workspace.backupObjects()
        XCTAssertTrue(leftovers.isEmpty, "objects left behind: \(leftovers)")
        let list = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        XCTAssertEqual((list["backups"] as? [Any])?.count, 0)
    }

    func testInitRefusesAnExistingRepository() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.initialize()
        let again = try workspace.lifeboat(["init"])
        XCTAssertEqual(again.status, 1, again.output)
        XCTAssertTrue(again.stderr.contains("already exists"), again.stderr)
    }

    func testUnknownBackupAndDatabaseAreUsageErrors() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.initialize()
        XCTAssertEqual(
            try workspace.lifeboat(["restore", "latest"]).status, 1, "no backups yet is a state, not a usage error")
        let unknown = try workspace.lifeboat(["backup", "--database", "no_such_db"])
        XCTAssertEqual(unknown.status, 2, unknown.output)
        XCTAssertTrue(unknown.stderr.contains("no_such_db"), unknown.stderr)
        let badFlag = try workspace.lifeboat(["restore", "latest", "--jobs", "0"])
        XCTAssertEqual(badFlag.status, 2, badFlag.output)
    }
}
