// DaemonLauncher: runs a program that starts a daemon and returns (pg_ctl start), for restored servers and
// drill scratch clusters alike.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

enum DaemonLauncher {
    /// Runs a program that starts a daemon (pg_ctl start) and waits for it. Foundation's Process would hand the
    /// daemon an inherited descriptor and then wait for it to close (forever), so this spawns directly with every
    /// descriptor above 2 closed; stdout and stderr go to a private temporary file, returned as text.
    static func runDetaching(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        var template = Array((FileManager.default.temporaryDirectory.path + "/lifeboat-pgctl-XXXXXX").utf8CString)
        let outputFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard outputFD >= 0 else { throw SnapshotError.serverStart(detail: "cannot create a temporary file", log: "") }
        let outputPath = String(cString: template)
        defer { close(outputFD); unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        // posix_spawn_file_actions_addclosefrom_np does not import; close what is open now (errors are ignored).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw SnapshotError.serverStart(detail: "cannot run '\(executable)': \(String(cString: strerror(spawned)))", log: "")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }
}
