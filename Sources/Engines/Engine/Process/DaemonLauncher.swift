// DaemonLauncher: runs a program that starts a daemon and returns (pg_ctl start), for restored servers and
// drill scratch clusters alike.
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

enum DaemonLauncher {
    /// Runs a program that starts a daemon (pg_ctl start) and waits for it. Foundation's Process would hand the
    /// daemon an inherited descriptor and then wait for it to close (forever), so this spawns directly with every
    /// descriptor above 2 closed; stdout and stderr go to a private temporary file, returned as text.
    static func runDetaching(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (
        Int32, String
    ) {
        var template = Array((FileManager.default.temporaryDirectory.path + "/lifeboat-pgctl-XXXXXX").utf8CString)
        let outputFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard outputFD >= 0 else { throw SnapshotError.serverStart(detail: "cannot create a temporary file", log: "") }
        let outputPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer {
            close(outputFD)
            unlink(outputPath)
        }
        var spawn = Spawn(executable, arguments, environment: environment)
        (spawn.standardOutput, spawn.standardError) = (.descriptor(outputFD), .descriptor(outputFD))
        let status: Int32
        do {
            status = try spawn.run()
        } catch let error as SystemError {
            throw SnapshotError.serverStart(detail: "cannot run '\(executable)': \(error.reason)", log: "")
        }
        let output = ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").trimmingCharacters(
            in: .whitespacesAndNewlines)
        return (status, output)
    }
}
