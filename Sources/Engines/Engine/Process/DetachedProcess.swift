// DetachedProcess: starts a program that outlives its caller and that nobody waits for — the WAL prefetcher
// started by `wal get`. PostgreSQL runs restore_command through system() and waits for that shell only; the
// prefetcher must not hold the shell's stdout/stderr (nothing reads them) or any other inherited descriptor,
// and must not be signalled with the caller's process group (Ctrl-C, pg_ctl stop). So (SystemIO's Spawn): a
// new session, stdin/stdout/stderr on /dev/null, every other descriptor closed, no wait.
import SystemIO

public enum DetachedProcess {
    /// Starts `executable` with `arguments`; returns its pid. The caller does not wait for it: once the caller
    /// exits, init (or the nearest subreaper) reaps it.
    @discardableResult
    public static func spawn(
        _ executable: String, _ arguments: [String],
        environment: [String: String]
    ) throws -> Int32 {
        var spawn = Spawn(executable, arguments, environment: environment)
        spawn.grouping = .session
        do {
            return try spawn.start()
        } catch let error as SystemError {
            throw WALError.prefetchNotStarted(detail: "cannot run '\(executable)': \(error.reason)")
        }
    }
}
