// --metrics-file through the binary: backup, status and a failing run update one Prometheus text file, which
// prometheus_client's parser (the reference text-format parser) reads; runs keep each other's samples, also
// when several write at once; links planted in the metrics directory are never followed.
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class MetricsFileTests: XCTestCase {
    /// family name → [(labels, value)] as prometheus_client parses the file.
    func parse(_ path: String) throws -> [String: [([String: String], Double)]] {
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    out.setdefault(s.name, []).append([s.labels, s.value])
            print(json.dumps(out))
            """
        let object = try pythonJSON(script, path) as? [String: [[Any]]] ?? [:]
        return object.mapValues { samples in
            samples.map { (($0[0] as? [String: String]) ?? [:], ($0[1] as? Double) ?? .nan) }
        }
    }

    func testBackupStatusAndFailuresShareOneParsableFile() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("metrics")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 200)
        let workspace = try Workspace(env, name: "metrics")
        try workspace.initialize(database: source)
        let file = workspace.directory + "/lifeboat.prom"
        let started = Date().timeIntervalSince1970
        XCTAssertEqual(try workspace.lifeboat(["--metrics-file", file, "backup"]).status, 0)
        XCTAssertEqual(try workspace.lifeboat(["status", "--rpo", "1h", "--metrics-file", file]).status, 0)
        let failed = try workspace.lifeboat(["--metrics-file", file, "show", "20200101T000000Z-000000"])
        XCTAssertNotEqual(failed.status, 0)
        // Concurrent writers serialise on the lock file and keep each other's samples.
        let arguments = [
            "--config", workspace.configPath, "--no-progress", "status", "--rpo", "1h", "--metrics-file", file,
        ]
        let processes = try (0..<4).map { _ -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: env.binary)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        processes.forEach { $0.waitUntilExit() }

        let metrics = try parse(file)
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            metrics[name]?.first { sample in labels.allSatisfy { sample.0[$0.key] == $0.value } }?.1
        }
        let success = try XCTUnwrap(
            value("lifeboat_operation_last_success_timestamp_seconds", ["operation": "backup", "cluster": "main"]))
        XCTAssertGreaterThanOrEqual(success, started.rounded(.down))
        XCTAssertGreaterThan(try XCTUnwrap(value("lifeboat_operation_last_bytes", ["operation": "backup"])), 0)
        XCTAssertNotNil(value("lifeboat_backup_last_success_timestamp_seconds", ["type": "logical"]))
        XCTAssertEqual(value("lifeboat_rpo_objective_seconds", ["cluster": "main"]), 3600)
        XCTAssertLessThan(try XCTUnwrap(value("lifeboat_rpo_exposure_seconds", ["cluster": "main"])), 3600)
        XCTAssertEqual(value("lifeboat_operation_failures_total", ["operation": "show"]), 1)
        XCTAssertNil(value("lifeboat_operation_last_success_timestamp_seconds", ["operation": "show"]))
        XCTAssertEqual(value("lifeboat_operation_failures_total", ["operation": "status"]), 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o644)
    }

    /// A user who can write the metrics directory plants links where a run writes (the old fixed temp name, the
    /// lock file, the file itself): a run, as root in the suite, neither changes nor creates nor reveals their targets.
    func testLinksInTheMetricsDirectoryAreNeverFollowed() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env, name: "metricslinks")
        try workspace.initialize()
        let directory = workspace.directory + "/metrics"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        chmod(directory, 0o1777)
        let file = directory + "/lifeboat.prom"
        let victim = workspace.directory + "/victim"
        try "precious_secret 1234\n".write(toFile: victim, atomically: true, encoding: .utf8)
        chmod(victim, 0o600)
        func assertVictimIntact(_ line: UInt = #line) throws {
            XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious_secret 1234\n", line: line)
            let mode = (try FileManager.default.attributesOfItem(atPath: victim)[.posixPermissions] as? NSNumber)?
                .intValue
            XCTAssertEqual(mode, 0o600, "the victim's mode is unchanged", line: line)
        }

        // A link at the temp name a run used to write: the file is replaced, the victim untouched.
        try FileManager.default.createSymbolicLink(atPath: file + ".tmp", withDestinationPath: victim)
        let run = try workspace.lifeboat(["--metrics-file", file, "list"])
        XCTAssertEqual(run.status, 0, run.output)
        try assertVictimIntact()
        XCTAssertNotNil(try parse(file)["lifeboat_operation_last_exit_status"], "the metrics file is written")
        XCTAssertNil(
            try? FileManager.default.destinationOfSymbolicLink(atPath: file), "the metrics file is a file of its own")
        try FileManager.default.removeItem(atPath: file + ".tmp")

        // A link at the lock file to a path that does not exist: not created; a warning, same exit status.
        let created = workspace.directory + "/created-by-lifeboat"
        try FileManager.default.removeItem(atPath: file + ".lock")
        try FileManager.default.createSymbolicLink(atPath: file + ".lock", withDestinationPath: created)
        let locked = try workspace.lifeboat(["--metrics-file", file, "list"])
        XCTAssertEqual(locked.status, 0, locked.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: created), "the lock file's link target is not created")
        XCTAssertTrue(locked.stderr.contains("warning: metrics file"), locked.stderr)
        try FileManager.default.removeItem(atPath: file + ".lock")

        // The metrics file itself a link: its target is neither read into the world-readable file nor replaced.
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: victim)
        let linked = try workspace.lifeboat(["--metrics-file", file, "list"])
        XCTAssertEqual(linked.status, 0, linked.output)
        try assertVictimIntact()
        XCTAssertTrue(linked.stderr.contains("symbolic link"), linked.stderr)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "lifeboat.prom" {
            let text = (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
            XCTAssertFalse(text.contains("precious_secret"), "'\(name)' holds the victim's content")
        }
        try FileManager.default.removeItem(atPath: file)

        // A failed write leaves no temporary file; a killed one leaves one that the next run removes.
        XCTAssertEqual(try workspace.lifeboat(["--metrics-file", file, "list"]).status, 0)
        let before = try String(contentsOfFile: file, encoding: .utf8)
        let failed = try workspace.lifeboat(
            ["--metrics-file", file, "list"], environment: ["LIFEBOAT_FAILPOINTS": "metrics.rename.before=eio"])
        XCTAssertEqual(failed.status, 0, failed.output)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), before, "the file is unchanged")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
            ["lifeboat.prom", "lifeboat.prom.lock"])
        let killed = try workspace.lifeboat(
            ["--metrics-file", file, "list"], environment: ["LIFEBOAT_FAILPOINTS": "metrics.rename.before=kill"])
        XCTAssertNotEqual(killed.status, 0)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), before, "the file is unchanged")
        XCTAssertEqual(try workspace.lifeboat(["--metrics-file", file, "list"]).status, 0)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
            ["lifeboat.prom", "lifeboat.prom.lock"],
            "the killed run's temporary file is gone")
    }
}
