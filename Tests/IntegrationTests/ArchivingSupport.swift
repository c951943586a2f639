// Support for tests that make the scratch PostgreSQL archive into a workspace (ArchivingScenario sets one up):
// as root the server runs as the postgres OS user, which must own the workspace; archive_command is switched
// with ALTER SYSTEM and set back to '/bin/true' (archive and forget) when the test ends.
import Foundation
import PGClient
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

extension XCTestCase {
    func chownToPostgres(_ path: String) throws {
        guard getuid() == 0 else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/chown")
        process.arguments = ["-R", "postgres:", path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "chown -R postgres '\(path)' failed")
    }

    /// `drill run DRILL --json` of the workspace, as the postgres OS user when the suite runs as root (the drill's
    /// scratch server then needs no user switch). The workspace is handed to that user first: what ran as root
    /// (snapshots, key slots) left root's files, and one OS user owns a repository.
    func runDrillAsServerUser(_ workspace: Workspace, _ drill: String) throws -> RunResult {
        try chownToPostgres(workspace.directory)
        guard getuid() == 0 else { return try workspace.lifeboat(["drill", "run", drill, "--json"]) }
        return try runLifeboat(
            workspace.env,
            [
                "-u", "postgres", "--", workspace.env.binary, "--config", workspace.configPath, "--no-progress",
                "drill", "run", drill, "--json",
            ],
            executable: "/usr/sbin/runuser")
    }

    func setArchiveCommand(_ admin: PGConnection, _ command: String) throws {
        try admin.execute("ALTER SYSTEM SET archive_command = \(try admin.quoteLiteral(command))")
        try admin.execute("SELECT pg_reload_conf()")
    }

    /// Waits until the server reports `name` (or a later file) archived.
    func waitUntilArchived(_ admin: PGConnection, _ name: String, timeout: TimeInterval = 120) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let last =
                try admin.query("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").rows.first?[0] ?? nil
            if let last, last >= name { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("'\(name)' was not archived within \(Int(timeout)) s")
        throw XCTSkip("cannot continue")
    }

    /// A loopback port nobody listens on right now (for restored servers started by the tests).
    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw XCTSkip("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        XCTAssertEqual(bound, 0)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // MARK: restored servers

    func batches(port: Int, table: String) throws -> [String: Int] {
        let connection = try PGConnection(try ConnectionInfo("postgresql://postgres@127.0.0.1:\(port)/postgres"))
        defer { connection.close() }
        XCTAssertEqual(try connection.query("SELECT pg_is_in_recovery()::text").rows.first?[0], "false")
        var result: [String: Int] = [:]
        for row in try connection.query("SELECT batch, count(*)::text FROM \(table) GROUP BY batch").rows {
            result[row[0] ?? ""] = Int(row[1] ?? "")
        }
        return result
    }

    /// Restarts a restored server with extra settings (`-c name=value` words). The start options restore
    /// --start used (archive_mode=off among them) are in postmaster.opts, so a plain `pg_ctl restart` would keep them.
    func restartServer(_ directory: String, port: Int, settings: [String]) throws {
        stopServer(directory, mode: "fast")
        let options =
            "-p \(port) -k '\(directory)' -c listen_addresses=127.0.0.1 "
            + settings.map { "-c \($0)" }.joined(separator: " ")
        let status = runPgCtl([
            "-D", directory, "-l", directory + "/lifeboat-restore.log", "-o", options, "-w", "start",
        ])
        XCTAssertEqual(status, 0, "pg_ctl start of '\(directory)' failed")
    }

    func stopServer(_ directory: String, mode: String = "immediate") {
        guard FileManager.default.fileExists(atPath: directory + "/postmaster.pid") else { return }
        runPgCtl(["-D", directory, "-m", mode, "-w", "stop"])
    }

    @discardableResult
    func runPgCtl(_ arguments: [String]) -> Int32 {
        let process = Process()
        let pgCtl = TestEnvironment.pgBin + "/pg_ctl"
        // A started server must not inherit Foundation's descriptors, or waitUntilExit waits for the server.
        let closeAndRun =
            "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\" 2>/dev/null; done; exec \"$@\""
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            ["-c", closeAndRun, "bash"] + (getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [pgCtl]
            + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

extension TestEnvironment {
    /// Points the scratch server's archive_command back at '/bin/true', so segments stop reaching a test's
    /// repository and never pile up in pg_wal.
    func resetArchiveCommand() throws {
        let admin = try admin()
        defer { admin.close() }
        try admin.execute("ALTER SYSTEM SET archive_command = '/bin/true'")
        try admin.execute("SELECT pg_reload_conf()")
    }
}
