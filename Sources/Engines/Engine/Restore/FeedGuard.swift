// FeedGuard: keeps pg_restore from ever reading the end of a pipe that lifeboat did not finish. pg_restore commits a
// table's COPY when its data file ends, and a pipe ends when its last writer goes away — also when lifeboat is
// killed mid-file, which would commit the truncated table. So while lifeboat writes a file, a small guard process
// (bash, in its own process group, ignoring terminal signals) holds the pipe open too. If lifeboat dies, the
// guard's input ends: it kills pg_restore's whole process group first (the workers are blocked reading, not at an
// end), and only then exits, closing its ends. lifeboat releases a pipe from the guard only once the file's whole
// object authenticated.
import Foundation

final class FeedGuard: @unchecked Sendable {
    // `child` is used under `lock`: one request and its answer at a time.
    private let lock = NSLock()
    private let child: ChildProcess

    /// Opens are read-write: a pipe opened that way never blocks, even if pg_restore has just gone away.
    static let script = """
        trap '' INT TERM HUP PIPE
        declare -A held
        group=
        while IFS=' ' read -r command argument; do
          case "$command" in
            group) group=$argument; echo ok ;;
            hold) if exec {fd}<>"$argument"; then held["$argument"]=$fd; echo ok; else echo fail; fi ;;
            release) fd=${held["$argument"]}; if [ -n "$fd" ]; then exec {fd}>&-; fi; unset 'held["$argument"]'; echo ok ;;
            end) group=; break ;;
          esac
        done
        if [ -n "$group" ]; then kill -KILL -- "-$group" 2>/dev/null; fi
        exit 0
        """

    init(environment: [String: String]) throws {
        child = ChildProcess(
            executable: "/bin/bash", arguments: ["-c", Self.script], environment: environment,
            captureStdout: true, provideStdin: true)
        try child.start()
    }

    /// The process group to kill if lifeboat dies: pg_restore's (Foundation starts every child as a group leader).
    func watch(group: Int32) throws { try request("group \(group)") }

    func hold(_ path: String) throws { try request("hold \(path)") }

    func release(_ path: String) throws { try request("release \(path)") }

    /// pg_restore has exited: the guard leaves without killing anything.
    func end() {
        lock.withLock {
            _ = Array("end\n".utf8).withUnsafeBytes { child.writeStdin($0) }
        }
        _ = child.wait()
    }

    private func request(_ line: String) throws {
        try lock.withLock {
            let sent = Array((line + "\n").utf8).withUnsafeBytes { child.writeStdin($0) }
            var answer: [UInt8] = []
            var byte: [UInt8] = [0]
            while sent {
                let count = try byte.withUnsafeMutableBytes { try child.readStdout(into: $0) }
                if count == 0 || byte[0] == 0x0A { break }
                answer.append(byte[0])
            }
            guard String(decoding: answer, as: UTF8.self) == "ok" else {
                throw EngineError.invalidArgument(
                    "the pipe guard could not '\(line)': \(child.stderrTail)",
                    hint: "run the restore again; if it repeats, restore with --jobs 1")
            }
        }
    }
}
