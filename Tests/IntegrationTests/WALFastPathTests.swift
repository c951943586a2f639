// WALFastPathTests: `wal get` and `wal push` as PostgreSQL runs them skip ArgumentParser (WALFastPath); the same
// commands with `--` before their arguments go through it. Both must give the same exit status, stdout and
// stderr: a segment fetched from the repository and one taken from the prefetch spool, a missing segment, an
// already archived segment pushed again, a missing and an invalid configuration.
import Foundation
import PGClient
import TestSupport
import XCTest

final class WALFastPathTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    /// The same run's output with what differs between two runs of it removed (timings, the destination).
    func comparable(_ result: RunResult, _ destination: String? = nil) -> String {
        var text = result.stdout.replacingOccurrences(
            of: #""seconds" : [0-9.e-]+"#, with: #""seconds" : _"#, options: .regularExpression)
        if let destination { text = text.replacingOccurrences(of: destination, with: "DEST") }
        return "exit \(result.status)\nstdout: \(text)\nstderr: \(result.stderr)"
    }

    /// Runs `arguments` (a `wal` command: the words, then its positional arguments) both ways.
    func bothWays(_ workspace: Workspace, _ words: [String], _ positionals: [String]) throws -> (RunResult, RunResult) {
        (try workspace.lifeboat(words + positionals), try workspace.lifeboat(words + ["--"] + positionals))
    }

    func testBothParsersGiveTheSameResults() throws {
        let scenario = try archivingScenario(env, name: "fastpath", .archivingOnly)
        let workspace = scenario.workspace
        try scenario.admin.execute("CREATE TABLE fastpath_probe AS SELECT 1 AS one")
        let first = try scenario.switchWAL()
        try scenario.admin.execute("INSERT INTO fastpath_probe VALUES (2)")
        let second = try scenario.switchWAL()
        try waitUntilArchived(scenario.admin, second)

        // Fetched from the repository, each way into a directory of its own (its own prefetch spool).
        let (fast, full) = (workspace.directory + "/fast/pg_wal", workspace.directory + "/full/pg_wal")
        for directory in [fast, full] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fetched = try workspace.lifeboat(["wal", "get", "--json", first, fast + "/RECOVERYXLOG"])
        let parsed = try workspace.lifeboat(["wal", "get", "--json", "--", first, full + "/RECOVERYXLOG"])
        XCTAssertEqual(fetched.status, 0, fetched.output)
        XCTAssertEqual(comparable(fetched, fast), comparable(parsed, full))
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: fast + "/RECOVERYXLOG")),
            try Data(contentsOf: URL(fileURLWithPath: full + "/RECOVERYXLOG")))
        // A copy of it outside the server's pg_wal (no .ready files beside it), pushed again below.
        let copy = workspace.directory + "/copy/pg_wal/" + first
        try FileManager.default.createDirectory(
            atPath: workspace.directory + "/copy/pg_wal", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fast + "/RECOVERYXLOG", toPath: copy)

        // Taken from the spool each prefetcher filled.
        for directory in [fast, full] {
            let deadline = Date().addingTimeInterval(60)
            let spooled = directory + "/lifeboat-prefetch/" + second
            while !FileManager.default.fileExists(atPath: spooled) && Date() < deadline { usleep(50_000) }
        }
        let fromSpool = try workspace.lifeboat(["wal", "get", "--json", second, fast + "/RECOVERYXLOG"])
        let parsedSpool = try workspace.lifeboat(["wal", "get", "--json", "--", second, full + "/RECOVERYXLOG"])
        XCTAssertEqual(try workspace.json(fromSpool)["from_prefetch_spool"] as? Bool, true, fromSpool.output)
        XCTAssertEqual(comparable(fromSpool, fast), comparable(parsedSpool, full))

        // A segment that is not archived: exit 1, quietly.
        let (missing, parsedMissing) = try bothWays(
            workspace, ["wal", "get"], ["0000000100000000000000FE", fast + "/RECOVERYXLOG"])
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertEqual(comparable(missing), comparable(parsedMissing))

        // An archived segment pushed again.
        let (pushed, parsedPush) = try bothWays(workspace, ["wal", "push", "--json"], [copy])
        XCTAssertEqual(try workspace.json(pushed)["already_archived"] as? Bool, true, pushed.output)
        XCTAssertEqual(comparable(pushed), comparable(parsedPush))

        // Configuration problems: exit 2 with the same message.
        let invalid = workspace.directory + "/invalid.yml"
        try "cluster: main\nwal: { prefetch: many }\n".write(toFile: invalid, atomically: true, encoding: .utf8)
        for config in [workspace.directory + "/absent.yml", invalid] {
            for words in [["wal", "get"], ["wal", "push"]] {
                let positionals = words[1] == "get" ? [first, fast + "/RECOVERYXLOG"] : [copy]
                let quick = try runLifeboat(env, ["--config", config] + words + positionals)
                let slow = try runLifeboat(env, ["--config", config] + words + ["--"] + positionals)
                XCTAssertEqual(quick.status, 2, quick.output)
                XCTAssertFalse(quick.stderr.isEmpty)
                XCTAssertEqual(comparable(quick), comparable(slow))
            }
        }
    }
}
