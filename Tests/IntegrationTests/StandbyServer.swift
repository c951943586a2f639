// StandbyServer: a streaming standby of the scratch primary, for the snapshots taken from a standby:
// `pg_basebackup -R` into a directory of its own (the postgres OS user's when the tests run as root), started on a
// free loopback port with its socket in that directory. `stop()` shuts it down and removes the directory.
import Foundation
import PGClient
import XCTest

final class StandbyServer {
    let directory: String
    let port: Int
    var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres" }
    private var data: String { directory + "/data" }

    /// `settings` are extra `name=value` server settings (`-c`).
    init(
        _ env: TestEnvironment, port: Int, settings: [String] = [], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        directory = env.scratch + "/standby-\(UUID().uuidString.prefix(8))"
        self.port = port
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if getuid() == 0 {
            XCTAssertEqual(Self.run("/bin/chown", ["postgres:", directory]), 0, file: file, line: line)
        }
        let copied = Self.run(
            TestEnvironment.pgBin + "/pg_basebackup",
            ["-d", env.postgresURL, "-D", data, "-R", "-X", "stream", "--checkpoint=fast"], asPostgres: true)
        XCTAssertEqual(copied, 0, "pg_basebackup of the primary failed", file: file, line: line)
        let options =
            "-p \(port) -k '\(directory)' -c listen_addresses=127.0.0.1 -c archive_mode=off -c fsync=off "
            + "-c hot_standby=on" + settings.map { " -c " + $0 }.joined()
        let started = Self.run(
            TestEnvironment.pgBin + "/pg_ctl", ["-D", data, "-l", directory + "/log", "-o", options, "-w", "start"],
            asPostgres: true)
        XCTAssertEqual(started, 0, "the standby did not start: \(log)", file: file, line: line)
    }

    var log: String { (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? "" }

    func stop() {
        Self.run(TestEnvironment.pgBin + "/pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"], asPostgres: true)
        try? FileManager.default.removeItem(atPath: directory)
    }

    func connect() throws -> PGConnection { try PGConnection(try ConnectionInfo(url)) }

    /// Waits (30 s at most) until the standby replayed everything the primary had written when asked.
    func waitForReplay(of primary: PGConnection, file: StaticString = #filePath, line: UInt = #line) throws {
        let target = try XCTUnwrap(primary.query("SELECT pg_current_wal_lsn()::text").rows.first?[0] ?? nil)
        let standby = try connect()
        defer { standby.close() }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let sql = "SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn"
            if try standby.query(sql).rows.first?[0] == "t" { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("the standby did not replay up to \(target) within 30 s", file: file, line: line)
        throw XCTSkip("cannot continue")
    }

    /// Runs `tool` (as the postgres OS user when root and `asPostgres`) with no descriptor but 0-2 inherited: a
    /// started server must not hold Foundation's pipes, or waiting for pg_ctl waits for the server.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], asPostgres: Bool = false) -> Int32 {
        let process = Process()
        let closeAndRun =
            "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\" 2>/dev/null; done; exec \"$@\""
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let user = asPostgres && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
        process.arguments = ["-c", closeAndRun, "bash"] + user + [tool] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
