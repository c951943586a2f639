// DetachedProcess: starts a program that outlives its caller and that nobody waits for — the WAL prefetcher
// started by `wal get`. PostgreSQL runs restore_command through system() and waits for that shell only; the
// prefetcher must not hold the shell's stdout/stderr (nothing reads them) or any other inherited descriptor,
// and must not be signalled with the caller's process group (Ctrl-C, pg_ctl stop). So: a new session
// (POSIX_SPAWN_SETSID), stdin/stdout/stderr on /dev/null, every other descriptor closed, no wait.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum DetachedProcess {
    /// glibc's POSIX_SPAWN_SETSID (spawn.h), which does not import as a Swift constant.
    static let spawnSetSID: Int16 = 0x80

    /// Starts `executable` with `arguments`; returns its pid. The caller does not wait for it: once the caller
    /// exits, init (or the nearest subreaper) reaps it.
    @discardableResult
    public static func spawn(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, spawnSetSID)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw WALError.prefetchNotStarted(detail: "cannot run '\(executable)': \(String(cString: strerror(status)))")
        }
        return pid
    }
}
