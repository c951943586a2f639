// TestServer: runs test_server.py as a real HTTP server for one test and stops it afterwards.
import Foundation
import XCTest

final class TestServer {
    let port: Int
    private let process: Process

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `python3 test_server.py --port 0 <extra>` and reads the port it bound from its first stdout line.
    init(extraArguments: [String] = []) throws {
        guard let script = Bundle.module.path(forResource: "test_server", ofType: "py") else {
            throw TestServerError("test_server.py is missing from the test bundle")
        }
        process = Process()
        // env execs python3 in place, so the recorded PID is the server's own.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--port", "0"] + extraArguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError  // not a pipe: a chatty server cannot block on it
        try process.run()
        do {
            port = try Self.readPort(output.fileHandleForReading)
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw error
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    private static func readPort(_ handle: FileHandle) throws -> Int {
        var line: [UInt8] = []
        while true {
            guard let byte = try handle.read(upToCount: 1), let first = byte.first else {
                throw TestServerError("test server exited before printing its port")
            }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            throw TestServerError("test server printed '\(String(decoding: line, as: UTF8.self))' instead of a port")
        }
        return port
    }
}

struct TestServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
