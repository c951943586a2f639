// ToolVersionProbe: asks an installed PostgreSQL tool its version (`TOOL --version`), once per path and process:
// a backup of many databases looks pg_dump up per database, and the binary does not change under a run.
import Foundation

struct ToolVersionProbe: Sendable {
    let environment: [String: String]

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Int?] = [:]  // guarded by cacheLock

    /// The tool's major version; nil when it cannot be run or does not say (ToolRequirement then accepts it).
    func major(of path: String) -> Int? {
        Self.cacheLock.lock()
        let cached = Self.cache[path]
        Self.cacheLock.unlock()
        if let cached { return cached }
        let major = run(path).flatMap(ToolSelection.major(fromVersionOutput:))
        Self.cacheLock.lock()
        Self.cache[path] = major
        Self.cacheLock.unlock()
        return major
    }

    /// `path --version`'s standard output (a line), or nil when it did not exit 0.
    private func run(_ path: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--version"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        // One short line: reading to the end cannot block on a full pipe.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
