// Integration test support: the scratch PostgreSQL and the built binary that scripts/test.sh provides.
// A missing service is a failure, never a skip: run the suite through scripts/test.sh.
import Foundation
import PGClient
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

struct TestEnvironment {
    let postgresURL: String
    let binary: String
    let scratch: String

    static func require(file: StaticString = #filePath, line: UInt = #line) throws -> TestEnvironment {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["LIFEBOAT_TEST_PG_URL"], let binary = environment["LIFEBOAT_BIN"] else {
            XCTFail(
                "LIFEBOAT_TEST_PG_URL and LIFEBOAT_BIN are not set: run the suite with scripts/test.sh", file: file,
                line: line)
            throw XCTSkip("unreachable")
        }
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("LIFEBOAT_BIN '\(binary)' is not an executable: run 'swift build' first", file: file, line: line)
            throw XCTSkip("unreachable")
        }
        return TestEnvironment(
            postgresURL: url, binary: binary, scratch: environment["LIFEBOAT_TEST_WORK"] ?? NSTemporaryDirectory())
    }

    /// The binaries of the PostgreSQL major under test: scripts/test.sh sets LIFEBOAT_TEST_PG_BIN for each major of
    /// its version matrix (and puts it first on PATH, where lifeboat finds its tools); Debian's 15 otherwise.
    static var pgBin: String {
        ProcessInfo.processInfo.environment["LIFEBOAT_TEST_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"
    }

    func connectionInfo(database: String) throws -> ConnectionInfo {
        try ConnectionInfo(postgresURL).with(database: database)
    }

    func url(database: String) -> String {
        guard let slash = postgresURL.lastIndex(of: "/") else { return postgresURL }
        return postgresURL[..<slash] + "/" + database
    }

    func admin() throws -> PGConnection { try PGConnection(try connectionInfo(database: "postgres")) }

    /// A fresh database name per test run, so tests never see each other's data.
    static func uniqueName(_ base: String) -> String {
        "\(base)_\(UInt32.random(in: 0...UInt32.max) % 1_000_000)"
    }
}

/// Runs the built `lifeboat` binary with a clean environment plus `environment`.
func runLifeboat(
    _ env: TestEnvironment, _ arguments: [String], environment: [String: String] = [:],
    directory: String? = nil, executable: String? = nil
) throws -> RunResult {
    try LifeboatProcess(env, arguments, environment: environment, directory: directory, executable: executable).wait()
}

/// The built binary running in the background, so a test can interleave other commands with it (failpoint
/// `stop` freezes it at a point; `resume` lets it carry on).
final class LifeboatProcess {
    let process = Process()
    private let outFile: URL
    private let errFile: URL

    init(
        _ env: TestEnvironment, _ arguments: [String], environment: [String: String] = [:],
        directory: String? = nil, executable: String? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: executable ?? env.binary)
        process.arguments = arguments
        var merged = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
        ]
        merged.merge(environment) { $1 }
        process.environment = merged
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        outFile = FileManager.default.temporaryDirectory.appendingPathComponent("lb-out-\(UUID().uuidString)")
        errFile = FileManager.default.temporaryDirectory.appendingPathComponent("lb-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outFile)
        process.standardError = try FileHandle(forWritingTo: errFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }  // also ends a stopped one
        try? FileManager.default.removeItem(at: outFile)
        try? FileManager.default.removeItem(at: errFile)
    }

    /// Waits (30 s at most) until the process stopped itself (failpoint action `stop`): state T in /proc.
    func waitUntilStopped(file: StaticString = #filePath, line: UInt = #line) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
            // The state follows the parenthesised command name: "pid (comm) T ...".
            if let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].hasPrefix(" T") { return }
            guard process.isRunning else {
                XCTFail(
                    "the process ended instead of stopping at its failpoint: \(wait().output)", file: file, line: line)
                throw XCTSkip("cannot continue")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("the process did not stop at its failpoint within 30 s", file: file, line: line)
        throw XCTSkip("cannot continue")
    }

    /// Lets a stopped process carry on.
    func resume() { kill(process.processIdentifier, SIGCONT) }

    func wait() -> RunResult {
        process.waitUntilExit()
        let signaled = process.terminationReason == .uncaughtSignal
        return RunResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "",
            signal: signaled ? process.terminationStatus : nil)
    }
}

/// Runs `command` with /bin/sh (output discarded) and returns its exit status.
func shellStatus(_ command: String) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command + " >/dev/null 2>&1"]
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
