// The repository's secrets in lifeboat's environment (AWS credentials, the passphrase variable) reach none of
// its children: client tools and server tools run through wrapper scripts (postgres.bin_dir) that record the
// environment they were given, and the servers of drills (read while the drill runs) and of `restore --start`
// are read through /proc/<postmaster>/environ. Their restore_command still replays the archived WAL: it reads the passphrase
// from a private file, which is gone once the server is promoted.
import Foundation
import PGClient
import TestSupport
import XCTest

final class SecretIsolationTests: XCTestCase {
    static let secrets = [
        "AWS_ACCESS_KEY_ID": "AKIAMARKERKEYID00000", "AWS_SECRET_ACCESS_KEY": "marker-aws-secret-access-key",
        "AWS_SESSION_TOKEN": "marker-aws-session-token", "AWS_PROFILE": "marker-profile",
        "LB_PASSPHRASE": "marker passphrase that opens the repository",
    ]
    static let tools = ["pg_dump", "pg_dumpall", "pg_restore", "psql", "initdb", "pg_ctl"]

    /// A directory of wrappers that append their environment to `records` and exec the real tool.
    func makeWrappers(_ workspace: Workspace) throws -> (bin: String, records: String) {
        let bin = workspace.directory + "/bin"
        let records = workspace.directory + "/environ"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: records, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: records)
        for tool in Self.tools {
            let script =
                "#!/bin/sh\ntr '\\000' '\\n' < /proc/$$/environ > '\(records)/\(tool).'$$\nexec \(TestEnvironment.pgBin)/\(tool) \"$@\"\n"
            try script.write(toFile: bin + "/" + tool, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + tool)
        }
        return (bin, records)
    }

    /// tool → the environments it was started with so far.
    func recordedEnvironments(_ records: String) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: records) {
            let tool = String(name.split(separator: ".").first ?? "")
            result[tool, default: []].append(try String(contentsOfFile: records + "/" + name, encoding: .utf8))
        }
        return result
    }

    func assertNoSecrets(_ environment: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        for (name, value) in Self.secrets {
            XCTAssertFalse(environment.contains(value), "\(what) got the value of \(name)", file: file, line: line)
            XCTAssertFalse(
                environment.split(separator: "\n").contains { $0.hasPrefix(name + "=") }, "\(what) got \(name)",
                file: file, line: line)
        }
    }

    /// The environment of the server whose postmaster.pid is in `dataDirectory`, NUL-separated entries as lines.
    /// Only a postmaster started with `-k` counts, not initdb's standalone backends, which hold the same lock file.
    func postmasterEnvironment(_ dataDirectory: String) throws -> String {
        // No XCTUnwrap: this is polled with try? while the file may not exist yet.
        guard
            let pid = try String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8).split(
                separator: "\n"
            ).first
        else {
            throw CocoaError(.fileReadUnknown)
        }
        let arguments = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")).split(separator: 0).map {
            String(decoding: $0, as: UTF8.self)
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
        guard arguments.contains("-k"), !bytes.isEmpty else { throw CocoaError(.fileReadUnknown) }
        return String(decoding: bytes.map { $0 == 0 ? 0x0a : $0 }, as: UTF8.self)
    }

    func scratchDirectories() -> Set<String> {
        Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter {
                $0.hasPrefix("lifeboat-drill-")
            })
    }

    /// Runs a drill with the secrets in its environment and reads the environment of its scratch server while
    /// that runs (a drill tears its server down before it exits).
    func drillReadingServer(_ env: TestEnvironment, _ arguments: [String]) throws -> (
        status: Int32, output: String, server: String?
    ) {
        let before = scratchDirectories()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lb-drill-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.binary)
        process.arguments = arguments
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
        ]
        .merging(Self.secrets) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var server: String?
        while process.isRunning, server == nil {
            server =
                scratchDirectories().subtracting(before).lazy.compactMap {
                    try? self.postmasterEnvironment("/tmp/\($0)/data")
                }.first
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "", server)
    }

    func count(port: Int, table: String) throws -> String? {
        let connection = try PGConnection(try ConnectionInfo("postgresql://postgres@127.0.0.1:\(port)/postgres"))
        defer { connection.close() }
        return try connection.query("SELECT count(*)::text FROM \(table)").rows.first?[0] ?? nil
    }

    func testChildrenAndServersGetNoRepositorySecretsAndRecoveryStillReplaysWAL() throws {
        let env = try TestEnvironment.require()
        let scenario = try archivingScenario(env, name: "secrets")
        let workspace = scenario.workspace
        let table = scenario.table
        let source = TestEnvironment.uniqueName("secretsdb")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 100)
        // The archive_command keeps the key file (lifeboat.yml); these runs unlock the repository with a passphrase.
        let added = try workspace.lifeboat(
            ["key", "add", "--passphrase-env", "LB_PASSPHRASE"], environment: Self.secrets)
        XCTAssertEqual(added.status, 0, added.output)
        let (bin, records) = try makeWrappers(workspace)
        let config = workspace.directory + "/secrets.yml"
        try """
        cluster: main
        postgres:
          url: "\(env.url(database: "postgres"))"
          bin_dir: \(bin)
        repository:
          url: "file://\(workspace.repository)"
        encryption:
          passphrase_env: LB_PASSPHRASE
        """.write(toFile: config, atomically: true, encoding: .utf8)
        func lifeboat(_ arguments: [String]) throws -> RunResult {
            try runLifeboat(env, ["--config", config, "--no-progress"] + arguments, environment: Self.secrets)
        }

        // Client tools: a logical backup (pg_dump, pg_dumpall) and a logical drill (initdb, pg_ctl, pg_restore).
        let backup = try lifeboat(["backup", "--database", source])
        XCTAssertEqual(backup.status, 0, backup.output)
        let logicalDrill = try workspace.writeDrill("logical", "restore: { type: logical, database: \(source) }\n")
        let logical = try drillReadingServer(env, ["--config", config, "--no-progress", "drill", "run", logicalDrill])
        XCTAssertEqual(logical.status, 0, logical.output)
        assertNoSecrets(
            try XCTUnwrap(logical.server, "the logical drill's server was seen running"), "the logical drill's server")
        let recorded = try recordedEnvironments(records)
        XCTAssertTrue(
            Set(recorded.keys).isSuperset(of: ["pg_dump", "pg_dumpall", "pg_restore", "initdb", "pg_ctl"]),
            "\(recorded.keys)")
        try assertNoSecretsRecorded(records)
        XCTAssertTrue(
            recorded["pg_dump"]?.first?.contains("PGAPPNAME=lifeboat") == true,
            "the wrapper sees lifeboat's child environment")

        // Rows only the archived WAL holds: a passed check proves restore_command worked without the passphrase
        // in the server's environment.
        try scenario.admin.execute("INSERT INTO \(table) SELECT i, 'after' FROM generate_series(1, 300) AS i")
        // Runs as root added a key slot and objects; one OS user owns a repository.
        try chownToPostgres(workspace.directory)
        try waitUntilArchived(scenario.admin, try scenario.switchWAL())
        let drill = try workspace.writeDrill(
            "snapshot",
            """
            restore: { type: snapshot }
            checks:
              sql:
                - { name: replayed rows, query: "SELECT count(*) FROM \(table), pg_sleep(1)", expect: "300" }
            """)
        let snapshot = try drillReadingServer(env, ["--config", config, "--no-progress", "drill", "run", drill])
        XCTAssertEqual(snapshot.status, 0, snapshot.output)
        assertNoSecrets(
            try XCTUnwrap(snapshot.server, "the snapshot drill's server was seen running"),
            "the snapshot drill's server")

        // Without --start the credentials stay for the operator's own start: private, the server user's, named.
        let stopped = workspace.directory + "/stopped"
        let unstarted = try lifeboat(["restore", "latest", "--data-dir", stopped, "--json"])
        XCTAssertEqual(unstarted.status, 0, unstarted.output)
        let left = try XCTUnwrap(try workspace.json(unstarted)["credentials_directory"] as? String, unstarted.stdout)
        XCTAssertTrue(left.hasPrefix(stopped + ".credentials-"), left)
        let attributes = try FileManager.default.attributesOfItem(atPath: left)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        XCTAssertEqual(attributes[.ownerAccountName] as? String, getuid() == 0 ? "postgres" : NSUserName())
        XCTAssertEqual(
            (try FileManager.default.attributesOfItem(atPath: left + "/passphrase")[.posixPermissions] as? NSNumber)?
                .intValue, 0o600)
        XCTAssertEqual(try String(contentsOfFile: left + "/passphrase", encoding: .utf8), Self.secrets["LB_PASSPHRASE"])
        let settings = try String(contentsOfFile: stopped + "/postgresql.auto.conf", encoding: .utf8)
        XCTAssertTrue(settings.contains("LB_PASSPHRASE_FILE=\(left)/passphrase "), settings)
        try FileManager.default.removeItem(atPath: left)

        let restored = workspace.directory + "/restored"
        let port = try freePort()
        defer { stopServer(restored) }
        let restore = try lifeboat(["restore", "latest", "--data-dir", restored, "--start", "--port", String(port)])
        XCTAssertEqual(restore.status, 0, restore.output)
        assertNoSecrets(try postmasterEnvironment(restored), "the server of restore --start")
        XCTAssertEqual(try count(port: port, table: table), "300", "WAL replayed through restore_command")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: workspace.directory).filter {
                $0.contains("credentials")
            }, [],
            "restore_command's credentials are removed once the server is promoted")
        try assertNoSecretsRecorded(records)  // pg_ctl of the snapshot drill and of restore --start
    }

    func assertNoSecretsRecorded(_ records: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for (tool, environments) in try recordedEnvironments(records) {
            environments.forEach { assertNoSecrets($0, tool, file: file, line: line) }
        }
    }

    /// `VAR_FILE` stands in for an unset passphrase variable only when the file is its owner's alone.
    func testPassphraseFileMustBeReadableByItsOwnerOnly() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env, name: "passfile")
        let passphrase = "correct horse battery staple"
        try workspace.writeConfig(encryption: "  passphrase_env: LB_PASS")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: ["LB_PASS": passphrase]).status, 0)
        let file = workspace.directory + "/passphrase"
        try (passphrase + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        let open = try workspace.lifeboat(["list"], environment: ["LB_PASS_FILE": file])
        XCTAssertEqual(open.status, 2, open.output)
        XCTAssertTrue(
            open.stderr.contains("passphrase file '\(file)'") && open.stderr.contains("chmod 600"), open.stderr)
        XCTAssertFalse(open.output.contains(passphrase))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        let listed = try workspace.lifeboat(["list"], environment: ["LB_PASS_FILE": file])
        XCTAssertEqual(listed.status, 0, listed.output)
        let preferred = try workspace.lifeboat(
            ["list"], environment: ["LB_PASS": passphrase, "LB_PASS_FILE": "/nonexistent"])
        XCTAssertEqual(preferred.status, 0, "the variable itself wins: \(preferred.output)")
    }
}
