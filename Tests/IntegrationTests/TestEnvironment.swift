// Integration test support: the scratch PostgreSQL and the built binary that scripts/test.sh provides.
// A missing service is a failure, never a skip: run the suite through scripts/test.sh.
import Foundation
import PGClient
import XCTest

struct TestEnvironment {
    let postgresURL: String
    let binary: String
    let scratch: String

    static func require(file: StaticString = #filePath, line: UInt = #line) throws -> TestEnvironment {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["LIFEBOAT_TEST_PG_URL"], let binary = environment["LIFEBOAT_BIN"] else {
            XCTFail("LIFEBOAT_TEST_PG_URL and LIFEBOAT_BIN are not set: run the suite with scripts/test.sh", file: file, line: line)
            throw XCTSkip("unreachable")
        }
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("LIFEBOAT_BIN '\(binary)' is not an executable: run 'swift build' first", file: file, line: line)
            throw XCTSkip("unreachable")
        }
        return TestEnvironment(postgresURL: url, binary: binary, scratch: environment["LIFEBOAT_TEST_WORK"] ?? NSTemporaryDirectory())
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

struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String

    var output: String { stdout + stderr }
}

/// Runs the built `lifeboat` binary with a clean environment plus `environment`.
func runLifeboat(_ env: TestEnvironment, _ arguments: [String], environment: [String: String] = [:],
                 directory: String? = nil, executable: String? = nil) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable ?? env.binary)
    process.arguments = arguments
    var merged = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
    merged.merge(environment) { $1 }
    process.environment = merged
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("lb-out-\(UUID().uuidString)")
    let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("lb-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outFile)
        try? FileManager.default.removeItem(at: errFile)
    }
    process.standardOutput = try FileHandle(forWritingTo: outFile)
    process.standardError = try FileHandle(forWritingTo: errFile)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus,
                     stdout: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
                     stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
}
