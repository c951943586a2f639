// StderrCapture: collects what C code writes to file descriptor 2 while a closure runs, to prove libpq stays
// quiet about server notices.
import Foundation

enum StderrCapture {
    struct Failed: Error {}

    static func run(_ body: () throws -> Void) throws -> String {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Failed() }
        let saved = dup(STDERR_FILENO)
        guard saved >= 0, dup2(fds[1], STDERR_FILENO) >= 0 else { throw Failed() }
        close(fds[1])
        defer {
            dup2(saved, STDERR_FILENO)
            close(saved)
            close(fds[0])
        }
        try body()
        dup2(saved, STDERR_FILENO)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        var captured = [UInt8](repeating: 0, count: 65536)
        let count = read(fds[0], &captured, captured.count)
        return count > 0 ? String(decoding: captured[..<count], as: UTF8.self) : ""
    }
}
