// ProcessRunner: runs a tool to completion for a test. Its output goes to temporary files, not pipes, so a
// chatty child can never block on a full pipe while the test waits for it to exit.
import Foundation

public enum ProcessRunner {
    /// Runs `executable` with `arguments`; `environment` replaces the test's own when given, `input` is its stdin
    /// (none: the test's own, as a child started by hand would have).
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil, input: Data? = nil
    ) throws -> RunResult {
        let captured = try capture(executable, arguments, environment: environment, directory: directory, input: input)
        return RunResult(
            status: captured.status, stdout: String(decoding: captured.stdout, as: UTF8.self),
            stderr: String(decoding: captured.stderr, as: UTF8.self))
    }

    /// As `run`, keeping stdout as bytes (for tools whose output is binary).
    public static func capture(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        directory: String? = nil, input: Data? = nil
    )
        throws -> (status: Int32, stdout: Data, stderr: Data)
    {
        let files = try TemporaryDirectory.make(prefix: "lifeboat-run")
        defer { try? FileManager.default.removeItem(atPath: files) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let input {
            try input.write(to: URL(fileURLWithPath: files + "/in"))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: files + "/in"))
        }
        for name in ["out", "err"] { _ = FileManager.default.createFile(atPath: files + "/" + name, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: files + "/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: files + "/err"))
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationStatus,
            FileManager.default.contents(atPath: files + "/out") ?? Data(),
            FileManager.default.contents(atPath: files + "/err") ?? Data()
        )
    }
}
