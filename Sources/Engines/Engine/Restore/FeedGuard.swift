// FeedGuard: keeps pg_restore from ever reading the end of a pipe that lifeboat did not finish. pg_restore commits a
// table's COPY when its data file ends, and a pipe ends when its last writer goes away — also when lifeboat is
// killed mid-file, which would commit the truncated table. So while lifeboat writes a file, a small guard process
// (bash, in its own process group, ignoring terminal signals) holds the pipe open too. If lifeboat dies, the
// guard's input ends: it kills pg_restore's whole process group first (the workers are blocked reading, not at an
// end), and only then exits, closing its ends. lifeboat releases a pipe from the guard only once the file's whole
// object authenticated.
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class FeedGuard: @unchecked Sendable {
    // The pipes are used under `lock`: one request and its answer at a time.
    private let lock = NSLock()
    private let pid: pid_t
    private let requests: FileDescriptor
    private let answers: FileDescriptor
    private var ended = false

    /// Opens are read-write: a pipe opened that way never blocks, even if pg_restore has just gone away. But a
    /// read-write hold is a reader too, so once pg_restore exited `releaseall` drops every hold (and later holds
    /// are not taken): a feeder still writing then gets EPIPE instead of blocking on a pipe nobody reads.
    static let script = """
        trap '' INT TERM HUP PIPE
        declare -A held
        group=
        closed=
        while IFS=' ' read -r command argument; do
          case "$command" in
            group) group=$argument; echo ok ;;
            hold) if [ -n "$closed" ]; then echo ok
                  elif exec {fd}<>"$argument"; then held["$argument"]=$fd; echo ok; else echo fail; fi ;;
            release) fd=${held["$argument"]}; if [ -n "$fd" ]; then exec {fd}>&-; fi; unset 'held["$argument"]'; echo ok ;;
            releaseall) for fd in "${held[@]}"; do exec {fd}>&-; done; held=(); closed=1; echo ok ;;
            end) group=; break ;;
          esac
        done
        if [ -n "$group" ]; then kill -KILL -- "-$group" 2>/dev/null; fi
        exit 0
        """

    /// Started with posix_spawn (Spawn), not Foundation's Process: Foundation's child monitor may block waiting
    /// for this long-lived child and then never notice pg_restore's exit. Its own process group keeps a terminal's
    /// ^C away from it; Spawn gives it no descriptor but its two pipes and /dev/null.
    init(environment: [String: String]) throws {
        var toGuard: [Int32] = [0, 0]
        var fromGuard: [Int32] = [0, 0]
        guard pipe(&toGuard) == 0 else { throw SystemError("pipe", path: "pipe guard") }
        guard pipe(&fromGuard) == 0 else {
            close(toGuard[0])
            close(toGuard[1])
            throw SystemError("pipe", path: "pipe guard")
        }
        // No other child may inherit them (pg_restore's workers must not keep the guard's input open).
        for fd in toGuard + fromGuard { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var spawn = Spawn("/bin/bash", ["-c", Self.script], environment: environment)
        spawn.standardInput = .descriptor(toGuard[0])
        spawn.standardOutput = .descriptor(fromGuard[1])
        spawn.grouping = .processGroup
        defer {
            close(toGuard[0])
            close(fromGuard[1])
        }
        do {
            pid = try spawn.start()
        } catch {
            close(toGuard[1])
            close(fromGuard[0])
            throw error
        }
        requests = FileDescriptor(toGuard[1])
        answers = FileDescriptor(fromGuard[0])
    }

    deinit {
        requests.close()
        answers.close()
    }

    /// The process group to kill if lifeboat dies: pg_restore's (Foundation starts every child as a group leader).
    func watch(group: Int32) throws { try request("group \(group)") }

    func hold(_ path: String) throws { try request("hold \(path)") }

    func release(_ path: String) throws { try request("release \(path)") }

    /// pg_restore has exited: no hold protects anything any more.
    func releaseAll() throws { try request("releaseall") }

    /// pg_restore has exited: the guard leaves without killing anything, and is waited for.
    func end() {
        lock.withLock {
            guard !ended else { return }
            ended = true
            try? requests.writeAll(Array("end\n".utf8), path: "pipe guard")
        }
        _ = try? Spawn.wait(for: pid, executable: "bash")
    }

    private func request(_ line: String) throws {
        try lock.withLock {
            var answer: [UInt8] = []
            do {
                try requests.writeAll(Array((line + "\n").utf8), path: "pipe guard")
                var byte: [UInt8] = [0]
                while try byte.withUnsafeMutableBytes({ try answers.read(into: $0, path: "pipe guard") }) == 1 {
                    if byte[0] == 0x0A { break }
                    answer.append(byte[0])
                }
            } catch let error as SystemError {
                throw EngineError.invalidArgument("the pipe guard stopped answering: \(error.reason)", hint: nil)
            }
            guard String(decoding: answer, as: UTF8.self) == "ok" else {
                throw EngineError.invalidArgument(
                    "the pipe guard could not '\(line)'",
                    hint: "run the restore again; if it repeats, restore with --jobs 1")
            }
        }
    }
}
