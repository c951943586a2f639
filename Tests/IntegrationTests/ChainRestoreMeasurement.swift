// ChainRestoreMeasurement: not a check but a measurement, skipped unless LIFEBOAT_MEASURE_CHAIN_SCALE is set (run it
// under the integration lock): pgbench at that scale, a full snapshot, 1 % of pgbench_accounts updated by aid (rows
// stored together) and 1 % inserted, an incremental; then the full alone and the chain are restored with
// /usr/bin/time, printing wall time, peak RSS, bytes read and the data directory's size for each.
import Foundation
import PGClient
import TestSupport
import XCTest

final class ChainRestoreMeasurement: XCTestCase {
    func testMeasureAChainRestoreAgainstAFullRestore() throws {
        guard let scale = ProcessInfo.processInfo.environment["LIFEBOAT_MEASURE_CHAIN_SCALE"].flatMap(Int.init) else {
            throw XCTSkip("set LIFEBOAT_MEASURE_CHAIN_SCALE to measure")
        }
        let env = try TestEnvironment.require()
        let scenario = try archivingScenario(env, name: "chainbench", .archivingOnly)
        let (workspace, admin) = (scenario.workspace, scenario.admin)
        try enableWALSummaries(admin)
        let database = TestEnvironment.uniqueName("chainbench")
        try admin.execute("CREATE DATABASE \(database)")
        defer { try? admin.execute("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        let pgbench = TestEnvironment.pgBin + "/pgbench"
        let initialised = try ProcessRunner.run(
            pgbench, ["-i", "-s", String(scale), "-q", env.url(database: database)])
        XCTAssertEqual(initialised.status, 0, initialised.output)
        let full = try XCTUnwrap(try chainSnapshot(workspace, incremental: false)["id"] as? String)
        let source = try PGConnection(try env.connectionInfo(database: database))
        defer { source.close() }
        let rows = scale * 100_000
        try source.execute("UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= \(rows / 100)")
        try source.execute(
            "INSERT INTO pgbench_accounts SELECT aid, 1, 0, '' FROM generate_series(\(rows + 1), \(rows + rows / 100)) aid"
        )
        try source.execute("CHECKPOINT")
        let incremental = try chainSnapshot(workspace, incremental: true)
        print(
            "measure: full \(full), incremental \(incremental["id"] ?? "?") stored \(incremental["stored_bytes"] ?? "?") B"
        )
        for (name, reference) in [("full", full), ("chain", try XCTUnwrap(incremental["id"] as? String))] {
            let directory = workspace.directory + "/" + name
            let timed = try ProcessRunner.run(
                "/usr/bin/time",
                [
                    "-f", "%e s %M KiB", env.binary, "--config", workspace.configPath, "--no-progress", "--json",
                    "restore", reference, "--data-dir", directory,
                ])
            XCTAssertEqual(timed.status, 0, timed.output)
            let size = try ProcessRunner.run("/usr/bin/du", ["-s", "-B1", directory]).stdout.split(separator: "\t")[0]
            let result = try JSONSerialization.jsonObject(with: Data(timed.stdout.utf8)) as? [String: Any]
            let read = (result?["chain"] as? [[String: Any]])?.map { "\($0["bytes_read"] ?? "?")" } ?? ["whole"]
            print(
                "measure: restore \(name): \(timed.stderr.split(separator: "\n").last ?? "?"), data directory \(size) B, "
                    + "read per backup \(read)")
        }
    }
}
