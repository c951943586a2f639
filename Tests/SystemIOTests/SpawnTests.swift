// Spawn: exit statuses decoded the shell's way, exactly the environment given, redirections, no inherited
// descriptors, and a new process group or session when asked.
import Foundation
import XCTest

@testable import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class SpawnTests: XCTestCase {
    func testExitStatusAndSignal() throws {
        XCTAssertEqual(try Spawn("/bin/sh", ["-c", "exit 0"], environment: [:]).run(), 0)
        XCTAssertEqual(try Spawn("/bin/sh", ["-c", "exit 7"], environment: [:]).run(), 7)
        XCTAssertEqual(try Spawn("/bin/sh", ["-c", "kill -9 $$"], environment: [:]).run(), 128 + 9)
        XCTAssertEqual(Spawn.exitStatus(fromWaitStatus: 3 << 8), 3)
        XCTAssertEqual(Spawn.exitStatus(fromWaitStatus: SIGTERM), 128 + SIGTERM)
    }

    func testTheChildGetsExactlyTheEnvironmentAndTheRedirectedOutput() throws {
        let scratch = try ScratchDirectory()
        let output = try FileDescriptor.open(scratch.path + "/out", O_WRONLY | O_CREAT | O_EXCL)
        defer { output.close() }
        var spawn = Spawn(
            "/bin/sh", ["-c", "echo \"$LIFEBOAT_TEST:${HOME-unset}\"; echo oops >&2"],
            environment: ["LIFEBOAT_TEST": "value with spaces"])
        spawn.standardOutput = .descriptor(output.rawValue)
        spawn.standardError = .descriptor(output.rawValue)
        XCTAssertEqual(try spawn.run(), 0)
        let text = try String(contentsOfFile: scratch.path + "/out", encoding: .utf8)
        XCTAssertEqual(text, "value with spaces:unset\noops\n")
    }

    func testNoDescriptorAboveTwoIsInherited() throws {
        let scratch = try ScratchDirectory()
        let fd = open(scratch.path + "/inherited", O_WRONLY | O_CREAT, 0o600)  // no O_CLOEXEC on purpose
        XCTAssertGreaterThan(fd, 2)
        defer { close(fd) }
        XCTAssertEqual(try Spawn("/bin/sh", ["-c", "test -e /proc/$$/fd/\(fd)"], environment: [:]).run(), 1)
    }

    func testAMissingExecutableIsASpawnError() {
        XCTAssertThrowsError(try Spawn("/nonexistent/tool", [], environment: [:]).start()) { error in
            XCTAssertEqual(error as? SystemError, SystemError("spawn", path: "/nonexistent/tool", code: ENOENT))
        }
    }

    func testNewProcessGroupAndSession() throws {
        for grouping in [Spawn.Grouping.processGroup, .session] {
            var spawn = Spawn("/bin/sleep", ["5"], environment: [:])
            spawn.grouping = grouping
            let pid = try spawn.start()
            // /proc/PID/stat: "pid (comm) state ppid pgrp session ..."
            let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
            let fields = stat[stat.range(of: ") ")!.upperBound...].split(separator: " ")
            kill(pid, SIGKILL)
            XCTAssertEqual(try Spawn.wait(for: pid, executable: "/bin/sleep"), 128 + SIGKILL)
            XCTAssertEqual(Int32(fields[2]), pid, "its own process group (\(grouping))")
            if grouping == .session {
                XCTAssertEqual(Int32(fields[3]), pid, "its own session")
            } else {
                XCTAssertEqual(Int32(fields[3]), getsid(0), "still the caller's session")
            }
        }
        XCTAssertThrowsError(try Spawn.wait(for: getpid(), executable: "self")) { error in
            XCTAssertEqual((error as? SystemError)?.code, ECHILD)
        }
    }
}
