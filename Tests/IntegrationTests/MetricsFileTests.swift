// --metrics-file through the binary: backup, status and a failing run update one Prometheus text file, which
// prometheus_client's parser (the reference text-format parser) reads; runs keep each other's samples, also
// when several write at once.
import Foundation
import XCTest

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "prometheus_client could not parse the metrics file")
        let object = try JSONSerialization.jsonObject(with: data) as? [String: [[Any]]] ?? [:]
        return object.mapValues { samples in samples.map { (($0[0] as? [String: String]) ?? [:], ($0[1] as? Double) ?? .nan) } }
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
        let arguments = ["--config", workspace.configPath, "--no-progress", "status", "--rpo", "1h", "--metrics-file", file]
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
        let success = try XCTUnwrap(value("lifeboat_operation_last_success_timestamp_seconds", ["operation": "backup", "cluster": "main"]))
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
}
