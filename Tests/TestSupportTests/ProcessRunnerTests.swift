// ProcessRunner: status, stdout and stderr apart, stdin from bytes, and no deadlock on output far larger than
// a pipe buffer (it goes to files).
import Foundation
import TestSupport
import XCTest

final class ProcessRunnerTests: XCTestCase {
    func testStatusAndBothStreamsAreCapturedApart() throws {
        let result = try ProcessRunner.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout, "out\n")
        XCTAssertEqual(result.stderr, "err\n")
        XCTAssertEqual(result.output, "out\nerr\n")
    }

    func testInputEnvironmentAndDirectoryReachTheChild() throws {
        let directory = try temporaryDirectory(prefix: "runner")
        let result = try ProcessRunner.run(
            "/bin/sh", ["-c", "cat; echo \"$GREETING\"; pwd"],
            environment: ["GREETING": "hello"], directory: directory,
            input: Data("piped\n".utf8))
        XCTAssertEqual(result.status, 0, result.output)
        let resolved = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        XCTAssertEqual(result.stdout, "piped\nhello\n\(resolved)\n")
    }

    func testLargeOutputOnBothStreamsDoesNotBlock() throws {
        let bytes = 4 << 20  // far beyond a 64 KiB pipe buffer, on stdout and stderr at once
        let script = "head -c \(bytes) /dev/zero; head -c \(bytes) /dev/zero >&2"
        let captured = try ProcessRunner.capture("/bin/sh", ["-c", script])
        XCTAssertEqual(captured.status, 0)
        XCTAssertEqual(captured.stdout.count, bytes)
        XCTAssertEqual(captured.stderr.count, bytes)
    }
}
