// WALCommandLineTests: the argument shapes `wal get` and `wal push` recognise without ArgumentParser, and every
// shape left to it (so its messages and exit statuses stay the only ones for bad usage).
import Catalog
import XCTest

final class WALCommandLineTests: XCTestCase {
    let segment = "000000010000000000000003"

    func testTheShapesPostgreSQLRuns() throws {
        let get = try XCTUnwrap(WALCommandLine(["wal", "get", segment, "pg_wal/RECOVERYXLOG", "--config", "/l.yml"]))
        XCTAssertEqual(get.subcommand, .get)
        XCTAssertEqual(get.positionals, [segment, "pg_wal/RECOVERYXLOG"])
        XCTAssertEqual(get.values, ["config": "/l.yml"])
        XCTAssertEqual(get.flags, [])

        let push = try XCTUnwrap(
            WALCommandLine([
                "wal", "push", "--json", "pg_wal/" + segment, "--log-format=json", "--quiet", "--no-progress",
                "--metrics-file", "/m.prom", "--config=/l.yml",
            ]))
        XCTAssertEqual(push.subcommand, .push)
        XCTAssertEqual(push.positionals, ["pg_wal/" + segment])
        XCTAssertEqual(push.values, ["config": "/l.yml", "log-format": "json", "metrics-file": "/m.prom"])
        XCTAssertEqual(push.flags, ["json", "quiet", "no-progress"])
    }

    func testEverythingElseIsLeftToArgumentParser() {
        let refused: [[String]] = [
            [],
            ["wal"],
            ["wal", "receive"],
            ["backup", segment, "x"],
            ["wal", "get", segment],  // too few
            ["wal", "get", segment, "a", "b"],  // too many
            ["wal", "push"],
            ["wal", "get", "--", segment, "dest"],
            ["wal", "get", segment, "dest", "--help"],
            ["wal", "get", segment, "dest", "-h"],
            ["wal", "get", segment, "-"],
            ["wal", "get", segment, "dest", "--config"],  // no value
            ["wal", "get", segment, "dest", "--config", "--json"],  // a value that is an option
            ["wal", "get", segment, "dest", "--config="],
            ["wal", "get", segment, "dest", "--config", "a", "--config", "b"],  // repeated
            ["wal", "get", segment, "dest", "--json", "--json"],
            ["wal", "get", segment, "dest", "--json=true"],
            ["wal", "get", segment, "dest", "--jobs", "2"],  // not a global option
            ["wal", "push", "--version"],
        ]
        for arguments in refused {
            XCTAssertNil(WALCommandLine(arguments), "\(arguments)")
        }
    }
}
