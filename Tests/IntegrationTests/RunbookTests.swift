// The runbooks cannot rot: every `sh` block of every runbook in runbooks/ runs, in order, in one bash with
// `set -euo pipefail`, against a scenario this test builds (real PostgreSQL, real repository, the built
// binary on PATH as `lifeboat`). The `sh your-values` block is replaced by the test's values, and every
// variable it exports must be one the test provides, so the documented values and the tested ones agree.
import Catalog
import Foundation
import PGClient
import TestSupport
import XCTest

final class RunbookTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("runbooks").path
    static let policies = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("policies")
        .path

    struct Block {
        let info: String
        let code: String
    }

    func blocks(_ name: String) throws -> [Block] {
        let text = try String(contentsOfFile: Self.directory + "/" + name, encoding: .utf8)
        var result: [Block] = []
        var info: String?
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let current = info {
                if line.hasPrefix("```") {
                    result.append(Block(info: current, code: lines.joined(separator: "\n")))
                    info = nil
                    lines = []
                } else {
                    lines.append(line)
                }
            } else if line.hasPrefix("```") {
                info = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            }
        }
        return result.filter { $0.info.hasPrefix("sh") }
    }

    /// Runs the runbook with `values` instead of its your-values block; returns bash's result.
    @discardableResult
    func runRunbook(
        _ name: String, values: [String: String], env: TestEnvironment, extraEnvironment: [String: String] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> RunResult {
        let all = try blocks(name)
        let documented = all.filter { $0.info == "sh your-values" }
        XCTAssertEqual(documented.count, 1, "\(name) has one your-values block", file: file, line: line)
        let exported =
            documented.first.map { block in
                block.code.split(separator: "\n").compactMap { line -> String? in
                    guard line.hasPrefix("export ") else { return nil }
                    return line.dropFirst(7).split(separator: "=").first.map(String.init)
                }
            } ?? []
        XCTAssertEqual(
            Set(exported), Set(values.keys), "\(name): the test sets exactly the documented values", file: file,
            line: line)
        let bin = NSTemporaryDirectory() + "runbook-bin-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bin) }
        try FileManager.default.createSymbolicLink(atPath: bin + "/lifeboat", withDestinationPath: env.binary)
        var script = "set -euo pipefail\nexport PATH=\(bin):$PATH\n"
        script +=
            values.sorted { $0.key < $1.key }.map { "export \($0.key)=\(Self.shellQuote($0.value))" }.joined(
                separator: "\n") + "\n"
        for block in all where block.info == "sh" { script += "echo '+++ block'\n" + block.code + "\n" }
        let result = try runLifeboat(
            env, ["-c", script],
            environment: extraEnvironment.merging(["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"]) { $1 },
            executable: "/bin/bash")
        XCTAssertEqual(result.status, 0, "\(name) failed:\n\(result.output)", file: file, line: line)
        XCTAssertEqual(
            result.stdout.components(separatedBy: "+++ block").count - 1, all.filter { $0.info == "sh" }.count,
            "every block ran", file: file, line: line)
        return result
    }

    func testIncidentRestore() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("rbinc")
        let target = source + "_restored"
        defer { SampleDatabase.drop(env, source, target) }
        try SampleDatabase.create(env, name: source, rows: 300)
        let options = ArchivingOptions(
            table: "(id integer, batch text)",
            prepare: { try $0.initialize(database: source) })
        let scenario = try archivingScenario(env, name: "rbinc", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--type", "logical", "--database", source]).status, 0)
        try admin.execute("INSERT INTO \(table) SELECT generate_series(1, 10), 'before'")
        Thread.sleep(forTimeInterval: 1)
        let targetTime = try XCTUnwrap(try admin.query("SELECT now()::text").rows.first?[0] ?? nil)
        Thread.sleep(forTimeInterval: 1)
        try admin.execute("INSERT INTO \(table) SELECT generate_series(1, 10), 'after'")
        try waitUntilArchived(admin, try scenario.switchWAL())
        try chownToPostgres(workspace.directory)

        let restoreDir = workspace.directory + "/restored"
        defer { stopServer(restoreDir) }
        let port = try freePort()
        let result = try runRunbook(
            "incident-restore.md",
            values: [
                "LIFEBOAT_CONFIG": workspace.configPath, "DATABASE": source, "TARGET_URL": env.url(database: target),
                "RESTORE_DIR": restoreDir, "RESTORE_PORT": String(port), "TARGET_TIME": targetTime,
            ], env: env)
        XCTAssertTrue(result.stdout.contains("recovery reached"), "section B recovered to the target: \(result.stdout)")
        let restored = try count(env, database: target, "SELECT count(*) FROM customers")
        XCTAssertEqual(restored, 300, "section A restored the database")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: restoreDir + "/postmaster.pid"),
            "the runbook stops the restored server")
    }

    func testFailedBackupTriage() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("rbtri")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 100)
        let workspace = try Workspace(env, name: "rbtri")
        try workspace.initialize(database: source)
        try workspace.writeConfig(database: source, extra: "policy: \(Self.policies)/development.yml")
        XCTAssertEqual(try workspace.lifeboat(["backup"]).status, 0)
        let result = try runRunbook(
            "failed-backup-triage.md", values: ["LIFEBOAT_CONFIG": workspace.configPath], env: env,
            extraEnvironment: ["LIFEBOAT_CHECK_WAL_SECONDS": "5"])
        XCTAssertTrue(result.stdout.contains("retention plan"), result.stdout)
    }

    func testKeyRotation() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("rbkey")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 50)
        let workspace = try Workspace(env, name: "rbkey")
        try workspace.initialize(database: source)
        XCTAssertEqual(try workspace.lifeboat(["backup"]).status, 0)
        let newKey = workspace.directory + "/repo-new.key"
        try runRunbook(
            "key-rotation.md", values: ["LIFEBOAT_CONFIG": workspace.configPath, "NEW_KEY_FILE": newKey], env: env)
        // The old key no longer opens the repository; the new one reads the old backup.
        XCTAssertEqual(try workspace.lifeboat(["list"]).status, 4)
        let config = try String(contentsOfFile: workspace.configPath, encoding: .utf8).replacingOccurrences(
            of: workspace.keyFile, with: newKey)
        try config.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
        XCTAssertEqual(try workspace.lifeboat(["verify", "--all"]).status, 0)
    }

    func testDrillSignOff() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("rbdrill")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 100)
        let workspace = try Workspace(env, name: "rbdrill")
        try workspace.initialize(database: source)
        try workspace.writeConfig(database: source, extra: "policy: \(Self.policies)/development.yml")
        XCTAssertEqual(try workspace.lifeboat(["backup"]).status, 0)
        let drill = try workspace.writeDrill(
            "signoff", file: "drill",
            """
            restore: { type: logical, database: \(source) }
            checks: { row_counts: true, full_read: true }
            cadence: 30d

            """)
        let report = workspace.directory + "/report.html"
        try runRunbook(
            "dr-drill.md",
            values: ["LIFEBOAT_CONFIG": workspace.configPath, "DRILL_FILE": drill, "REPORT_FILE": report], env: env)
        XCTAssertTrue(try String(contentsOfFile: report, encoding: .utf8).contains("signoff"))
    }

    func testGlacierRestore() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let source = TestEnvironment.uniqueName("rbglacier")
        let target = source + "_restored"
        defer { SampleDatabase.drop(env, source, target) }
        try SampleDatabase.create(env, name: source, rows: 80)
        let workspace = try Workspace(env, name: "rbglacier")
        try workspace.generateKey()
        try
            "safety: { min_age: 1h }\nkeep: { logical: { last: 5 } }\ntiering: [ { after: 2h, storage_class: GLACIER } ]\n"
            .write(toFile: workspace.directory + "/glacier.yml", atomically: true, encoding: .utf8)
        try s3.writeConfig(
            workspace, prefix: "rb-\(UUID().uuidString.prefix(8).lowercased())", database: source,
            extra: "policy: glacier.yml")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: s3.credentials).status, 0)
        XCTAssertEqual(try workspace.lifeboat(["backup"], environment: s3.credentials).status, 0)
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 3600))
        XCTAssertEqual(try workspace.lifeboat(["prune", "--now", later], environment: s3.credentials).status, 0)
        let result = try runRunbook(
            "glacier-restore.md",
            values: [
                "LIFEBOAT_CONFIG": workspace.configPath, "BACKUP": "latest", "DATABASE": source,
                "TARGET_URL": env.url(database: target),
            ], env: env, extraEnvironment: s3.credentials)
        XCTAssertTrue(result.stdout.contains("rehydrate"), "the plan names the rehydration: \(result.stdout)")
        XCTAssertEqual(try count(env, database: target, "SELECT count(*) FROM customers"), 80)
    }

    static func shellQuote(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    func count(_ env: TestEnvironment, database: String, _ sql: String) throws -> Int {
        let connection = try PGConnection(try env.connectionInfo(database: database))
        defer { connection.close() }
        return Int((try connection.query(sql).rows.first?[0] ?? nil) ?? "") ?? -1
    }
}
