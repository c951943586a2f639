// Spawn: runs a program with posix_spawn, for the children Foundation's Process cannot run — a daemon starter
// (pg_ctl start) whose daemon would keep an inherited pipe open and make Process wait forever, and a detached
// helper that must outlive its caller. The child gets exactly the descriptors asked for on 0, 1 and 2 and no
// other one (each descriptor above 2 that is open now is closed in the child), and exactly `environment`.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct Spawn: Sendable {
    /// Where one of the child's standard descriptors goes.
    public enum Redirect: Sendable, Equatable {
        case null
        /// A descriptor of this process, duplicated onto the child's.
        case descriptor(Int32)
    }

    /// Which signals of the caller's terminal and process group still reach the child.
    public enum Grouping: Sendable, Equatable {
        case inherit
        /// Its own process group (POSIX_SPAWN_SETPGROUP): no ^C, but still the caller's session.
        case processGroup
        /// Its own session (POSIX_SPAWN_SETSID): nothing aimed at the caller's group or terminal reaches it.
        case session
    }

    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    public var standardInput: Redirect = .null
    public var standardOutput: Redirect = .null
    public var standardError: Redirect = .null
    public var grouping: Grouping = .inherit

    /// glibc's POSIX_SPAWN_SETSID (spawn.h), which does not import as a Swift constant.
    static let setSessionFlag: Int16 = 0x80

    public init(_ executable: String, _ arguments: [String], environment: [String: String]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }

    /// Starts the program; returns its pid. Throws SystemError "spawn" naming the executable (the error of
    /// posix_spawn, which reports a failed exec too).
    public func start() throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        redirect(&actions, standardInput, to: 0, flags: O_RDONLY)
        redirect(&actions, standardOutput, to: 1, flags: O_WRONLY)
        redirect(&actions, standardError, to: 2, flags: O_WRONLY)
        // posix_spawn_file_actions_addclosefrom_np does not import; close what is open now. glibc ignores a
        // close that fails in the child (the descriptor listing /proc/self/fd is gone by then).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        switch grouping {
        case .inherit: break
        case .processGroup:
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        case .session: posix_spawnattr_setflags(&attributes, Self.setSessionFlag)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else { throw SystemError("spawn", path: executable, code: status) }
        return pid
    }

    /// Starts the program and waits for it: its exit status (128 + signal when killed).
    public func run() throws -> Int32 {
        try Self.wait(for: try start(), executable: executable)
    }

    /// waitpid, EINTR retried: the exit status of child `pid` (128 + signal when a signal ended it). Throws
    /// SystemError "wait" naming `executable` (ECHILD: not a child of this process, or reaped already).
    public static func wait(for pid: pid_t, executable: String) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SystemError("wait", path: executable) }
        }
        return exitStatus(fromWaitStatus: status)
    }

    /// The shell's convention: the exit code of a child that exited, 128 + the signal that ended one that did not.
    public static func exitStatus(fromWaitStatus status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private func redirect(
        _ actions: inout posix_spawn_file_actions_t, _ redirect: Redirect, to fd: Int32,
        flags: Int32
    ) {
        switch redirect {
        case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", flags, 0)
        case .descriptor(let source): posix_spawn_file_actions_adddup2(&actions, source, fd)
        }
    }
}
