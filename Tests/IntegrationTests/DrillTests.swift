// DR drills through the binary against the scratch PostgreSQL: a logical drill into a scratch cluster that
// passes, records evidence and measures the achieved RPO from a known heartbeat gap; failing SQL checks and a
// missed RTO are exit 3 with the failure in the evidence; `drill due`; a snapshot drill replaying WAL; a drill
// interrupted mid-way leaves no scratch server, port or directory; drills run as the postgres OS user too.
import Foundation
import PGClient
import TestSupport
import XCTest

final class DrillTests: XCTestCase {
    func scratchDirectories() -> Set<String> {
        Set(
            ((try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []).filter {
                $0.hasPrefix("lifeboat-drill-")
            })
    }

    func heartbeatTime(_ result: RunResult) throws -> Date {
        let text = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["at"] as? String,
            result.output)
        return try XCTUnwrap(parseTimestamp(text))
    }

    func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    func testLogicalDrillPassesMeasuresRPOAndRecordsEvidence() throws {
        let env = try TestEnvironment.require()
        let (workspace, source) = try sampleWorkspace(env, name: "drill", rows: 2_000)
        let beat = try workspace.lifeboat(["heartbeat", "--json"])
        XCTAssertEqual(beat.status, 0, beat.output)
        let heartbeat = try heartbeatTime(beat)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)
        Thread.sleep(forTimeInterval: max(0, heartbeat.addingTimeInterval(3).timeIntervalSinceNow) + 0.2)
        let before = scratchDirectories()
        let drill = try workspace.writeDrill(
            "smoke",
            """
            restore: { type: logical, database: \(source) }
            objectives: { rpo: 1h, rto: 10m }
            checks:
              sql:
                - { name: all rows, query: "SELECT count(*) FROM public.customers", expect: "2000" }
              amcheck: true
              row_counts: true
              full_read: true
            cadence: 1d
            """)
        // T0 three seconds after the heartbeat: the achieved RPO is exactly that gap.
        let run = try workspace.lifeboat([
            "drill", "run", drill, "--now", Self.iso(heartbeat.addingTimeInterval(3)), "--json",
        ])
        XCTAssertEqual(run.status, 0, run.output)
        let evidence = try workspace.json(run)
        XCTAssertEqual(evidence["verdict"] as? String, "passed", run.stdout)
        XCTAssertTrue(
            (evidence["target"] as? String ?? "").contains("on socket /tmp/lifeboat-drill-"),
            "no TCP port for restored data: \(evidence)")
        XCTAssertFalse(
            run.stderr.contains("globals restored with messages"), "the source's roles restore cleanly: \(run.stderr)")
        XCTAssertEqual((evidence["recovery_point"] as? [String: Any])?["method"] as? String, "heartbeat")
        let rpo = try XCTUnwrap(evidence["rpo_seconds"] as? Double)
        XCTAssertEqual(rpo, 3, accuracy: 0.5, "RPO = T0 − the newest heartbeat in the restored database")
        let checks = try XCTUnwrap(evidence["checks"] as? [[String: Any]])
        XCTAssertEqual(Set(checks.compactMap { $0["kind"] as? String }), ["sql", "amcheck", "row_counts", "full_read"])
        XCTAssertTrue(checks.allSatisfy { $0["passed"] as? Bool == true }, "\(checks)")
        let phases = (evidence["phases"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        XCTAssertEqual(phases, ["select", "rehydrate", "start", "restore", "checks"])
        let phaseSeconds =
            (evidence["phases"] as? [[String: Any]])?.compactMap { $0["seconds"] as? Double }.reduce(0, +) ?? 0
        XCTAssertGreaterThanOrEqual(
            try XCTUnwrap(evidence["rto_seconds"] as? Double), phaseSeconds - 0.01,
            "RTO runs from T0 through every phase")
        XCTAssertEqual(scratchDirectories(), before, "the scratch cluster is removed")

        let text = try workspace.lifeboat(["drill", "list"])
        XCTAssertTrue(text.stdout.contains("smoke") && text.stdout.contains("PASSED"), text.stdout)
        XCTAssertTrue(
            try workspace.repositoryFiles().keys.contains { $0.hasPrefix("drills/main/") },
            "evidence is stored in the repository")
        XCTAssertFalse(
            try workspace.repositoryFiles().contains {
                $0.key.hasPrefix("drills/") && String(decoding: $0.value, as: UTF8.self).contains("smoke")
            },
            "evidence is sealed")
        XCTAssertEqual(try workspace.lifeboat(["drill", "due", drill]).status, 0, "ran within its cadence")
        let due = try workspace.lifeboat([
            "drill", "due", drill, "--now", Self.iso(Date().addingTimeInterval(2 * 86_400)),
        ])
        XCTAssertEqual(due.status, 3, due.output)
    }

    func testFailedChecksAndMissedObjectivesAreExit3WithEvidence() throws {
        let env = try TestEnvironment.require()
        let (workspace, source) = try sampleWorkspace(env, name: "drillfail", rows: 100)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)
        let wrong = try workspace.writeDrill(
            "wrong",
            """
            restore: { type: logical, database: \(source) }
            checks:
              sql:
                - { name: impossible, query: "SELECT count(*) FROM public.customers", expect: "999999" }
            """)
        let failed = try workspace.lifeboat(["drill", "run", wrong, "--json"])
        XCTAssertEqual(failed.status, 3, failed.output)
        let evidence = try workspace.json(failed)
        XCTAssertEqual(evidence["verdict"] as? String, "failed")
        let check = try XCTUnwrap((evidence["checks"] as? [[String: Any]])?.first)
        XCTAssertEqual(check["passed"] as? Bool, false)
        XCTAssertTrue((check["detail"] as? String ?? "").contains("999999"), "\(check)")

        let slow = try workspace.writeDrill(
            "slow",
            """
            restore: { type: logical, database: \(source) }
            objectives: { rto: 1s }
            """)
        // The incident happened 10 s before the drill started: recovery cannot be within a 1 s RTO.
        let missed = try workspace.lifeboat(["drill", "run", slow, "--now", Self.iso(Date().addingTimeInterval(-10))])
        XCTAssertEqual(missed.status, 3, missed.output)
        XCTAssertTrue(missed.stdout.contains("RTO"), missed.stdout)
        let listing = try workspace.lifeboat(["drill", "list", "--json"])
        XCTAssertEqual(
            (try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [Any])?.count, 2,
            "both runs are evidence")

        // A scratch database on an existing server (here the test server itself): created, checked, dropped.
        let onServer = try workspace.writeDrill(
            "onserver",
            """
            restore: { type: logical, database: \(source) }
            target: { scratch: database, url: "\(env.url(database: "postgres"))" }
            checks: { row_counts: true, full_read: true }
            """)
        let served = try workspace.lifeboat(["drill", "run", onServer, "--json"])
        XCTAssertEqual(served.status, 0, served.output)
        let target = try XCTUnwrap(try workspace.json(served)["target"] as? String)
        XCTAssertTrue(target.contains("scratch database 'lifeboat_drill_"), target)
        let admin = try env.admin()
        defer { admin.close() }
        XCTAssertEqual(
            try admin.query("SELECT count(*)::text FROM pg_database WHERE datname LIKE 'lifeboat_drill_%'").rows.first?[
                0], "0",
            "the scratch database is dropped")

        let broken = try workspace.writeDrill("broken", "restore: { type: sideways }\n")
        let invalid = try workspace.lifeboat(["drill", "run", broken])
        XCTAssertEqual(invalid.status, 2, invalid.output)
        XCTAssertTrue(invalid.stderr.contains("restore.type"), invalid.stderr)
    }

    func testSnapshotDrillReplaysWALAndAnInterruptedDrillLeavesNothing() throws {
        let env = try TestEnvironment.require()
        let scenario = try archivingScenario(env, name: "drillsnap")
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        defer { try? admin.execute("DROP SCHEMA IF EXISTS lifeboat CASCADE") }  // the heartbeat table
        try admin.execute("INSERT INTO \(table) SELECT i, 'after' FROM generate_series(1, 500) AS i")
        let beat = try workspace.lifeboat(["heartbeat", "--json"])
        XCTAssertEqual(beat.status, 0, beat.output)
        let heartbeat = try heartbeatTime(beat)
        try waitUntilArchived(admin, try scenario.switchWAL())

        let drill = try workspace.writeDrill(
            "full",
            """
            restore: { type: snapshot }
            checks:
              sql:
                - { name: replayed rows, query: "SELECT count(*) FROM \(table)", expect: "500" }
              amcheck: true
              full_read: true
            """)
        let before = scratchDirectories()
        let run = try runDrillAsServerUser(workspace, drill)
        XCTAssertEqual(run.status, 0, run.output)
        let evidence = try workspace.json(run)
        XCTAssertEqual(evidence["verdict"] as? String, "passed", run.stdout)
        let point = try XCTUnwrap(evidence["recovery_point"] as? [String: Any])
        XCTAssertEqual(point["method"] as? String, "heartbeat")
        XCTAssertEqual(
            try XCTUnwrap(parseTimestamp(point["at"] as? String ?? "")).timeIntervalSince(heartbeat), 0, accuracy: 0.01,
            "the heartbeat replayed from the archived WAL is the recovery point")
        let phases = (evidence["phases"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        XCTAssertEqual(phases, ["select", "rehydrate", "restore", "start", "wal_replay", "checks"])
        XCTAssertEqual(scratchDirectories(), before)

        // Interrupted while its scratch server runs: SIGTERM tears it down.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.binary)
        process.arguments = ["--config", workspace.configPath, "--no-progress", "drill", "run", drill]
        let errors = Pipe()
        process.standardOutput = errors
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var scratch: String?
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, scratch == nil, process.isRunning {
            scratch = scratchDirectories().subtracting(before).first { name in
                FileManager.default.fileExists(atPath: "/tmp/\(name)/data/postmaster.pid")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let directory = try XCTUnwrap(scratch, "the drill started a scratch server")
        let pid = try String(contentsOfFile: "/tmp/\(directory)/data/postmaster.pid", encoding: .utf8).split(
            separator: "\n"
        ).first.map(String.init)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("interrupted"), stderr)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: "/tmp/\(directory)"), "the scratch directory is removed: \(stderr)")
        if let pid = pid.flatMap(Int32.init) {
            XCTAssertNotEqual(kill(pid, 0), 0, "the scratch server is stopped")
        }
    }

    func testLogicalDrillOnAnS3Repository() throws {
        let env = try TestEnvironment.require()
        let s3 = try S3TestServer.require()
        let source = TestEnvironment.uniqueName("s3drill")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 500)
        let workspace = try Workspace(env, name: "s3drill")
        try workspace.generateKey()
        let prefix = "drill-\(UUID().uuidString.prefix(8).lowercased())"
        try s3.writeConfig(workspace, prefix: prefix, database: source)
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: s3.credentials).status, 0)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source], environment: s3.credentials).status, 0)
        let drill = try workspace.writeDrill(
            "s3smoke",
            """
            restore: { type: logical, database: \(source) }
            checks: { row_counts: true, full_read: true, amcheck: true }
            """)
        let run = try workspace.lifeboat(["drill", "run", drill, "--json"], environment: s3.credentials)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(try workspace.json(run)["verdict"] as? String, "passed")
        XCTAssertEqual(
            try s3.storageClasses(prefix: prefix).keys.filter { $0.hasPrefix("drills/main/") }.count, 1,
            "evidence stored in the bucket")
    }

    /// Evidence is bound to the key it is stored under, as manifests and pin records are: a record copied from
    /// cluster main's drills/ into cluster other's, or duplicated under another run id, authenticates (same
    /// repository, same key) but is not counted — `drill due`, `drill list` and `report` exit 4 naming it.
    func testEvidenceCopiedToAnotherClusterOrRunIDIsRefused() throws {
        let env = try TestEnvironment.require()
        let (workspace, source) = try sampleWorkspace(env, name: "drillbind", rows: 50)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)
        let drill = try workspace.writeDrill(
            "bound",
            """
            restore: { type: logical, database: \(source) }
            target: { scratch: database, url: "\(env.url(database: "postgres"))" }
            checks: { row_counts: true }
            cadence: 1d
            """)
        let run = try workspace.lifeboat(["drill", "run", drill, "--json"])
        XCTAssertEqual(run.status, 0, run.output)
        let runID = try XCTUnwrap(try workspace.json(run)["id"] as? String)
        XCTAssertEqual(try workspace.lifeboat(["drill", "due", drill]).status, 0, "main passed within its cadence")

        // Cluster "other" in the same repository has never run the drill.
        let other = workspace.directory + "/other.yml"
        try (try String(contentsOfFile: workspace.configPath, encoding: .utf8)).replacingOccurrences(
            of: "cluster: main", with: "cluster: other"
        )
        .write(toFile: other, atomically: true, encoding: .utf8)
        func lifeboat(_ config: String, _ arguments: [String]) throws -> RunResult {
            try runLifeboat(env, ["--config", config, "--no-progress"] + arguments)
        }
        XCTAssertEqual(try lifeboat(other, ["drill", "due", drill]).status, 3, "never run")
        let evidence = workspace.repository + "/drills/main/\(runID).lbx"
        let copied = "drills/other/\(runID).lbx"
        try FileManager.default.createDirectory(
            atPath: workspace.repository + "/drills/other", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: evidence, toPath: workspace.repository + "/" + copied)
        for arguments in [["drill", "due", drill], ["drill", "list"], ["report"]] {
            let refused = try lifeboat(other, arguments)
            XCTAssertEqual(refused.status, 4, "\(arguments): \(refused.output)")
            XCTAssertTrue(refused.stderr.contains(copied), "\(arguments) does not name \(copied): \(refused.stderr)")
            XCTAssertFalse(refused.stdout.contains("PASSED"), "\(arguments) counted the copy: \(refused.stdout)")
        }

        // The same record under another run id in its own cluster: not listed twice.
        let duplicate = "drills/main/20200101T000000Z-000000.lbx"
        try FileManager.default.copyItem(atPath: evidence, toPath: workspace.repository + "/" + duplicate)
        for arguments in [["drill", "list"], ["drill", "due", drill]] {
            let refused = try workspace.lifeboat(arguments)
            XCTAssertEqual(refused.status, 4, "\(arguments): \(refused.output)")
            XCTAssertTrue(
                refused.stderr.contains(duplicate), "\(arguments) does not name \(duplicate): \(refused.stderr)")
        }
        try FileManager.default.removeItem(atPath: workspace.repository + "/" + duplicate)
        XCTAssertEqual(try workspace.lifeboat(["drill", "list"]).status, 0, "the genuine record still counts")
    }
}
