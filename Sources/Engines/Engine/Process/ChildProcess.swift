// ChildProcess: runs a PostgreSQL client tool without a shell. Arguments never carry secrets (passwords go
// through the environment). Stdout/stdin are raw pipes for streaming; stderr is drained on its own thread into
// a bounded tail, so a chatty child can never block on a full pipe.
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public final class ChildProcess: @unchecked Sendable {
    // `process` and the pipes are set up once in init; `tail` is guarded by `tailLock`.
    private let process = Process()
    private let stdoutPipe: Pipe?
    private let stdinPipe: Pipe?
    private let stderrPipe = Pipe()
    private let stderrDone = DispatchSemaphore(value: 0)
    private let tailLock = NSLock()
    private var tail: [UInt8] = []
    private static let tailLimit = 16 * 1024
    public let name: String

    public init(
        executable: String, arguments: [String], environment: [String: String],
        captureStdout: Bool, provideStdin: Bool
    ) {
        name = (executable as NSString).lastPathComponent
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        stdoutPipe = captureStdout ? Pipe() : nil
        stdinPipe = provideStdin ? Pipe() : nil
        process.standardOutput = stdoutPipe ?? FileHandle.nullDevice
        process.standardInput = stdinPipe ?? FileHandle.nullDevice
        process.standardError = stderrPipe
    }

    public func start() throws {
        do {
            try process.run()
        } catch {
            throw EngineError.toolMissing(tool: name, searched: [process.executableURL?.path ?? name])
        }
        let stderr = FileDescriptor(stderrPipe.fileHandleForReading.fileDescriptor)
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            // Until the end of the child's stderr, or a read error (nothing more can be read then either).
            while let count = try? buffer.withUnsafeMutableBytes({ try stderr.read(into: $0, path: name) }), count > 0 {
                appendTail(buffer[0..<count])
            }
            stderrDone.signal()
        }
        thread.start()
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Reads from the child's stdout; 0 at end of output.
    public func readStdout(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let fd = stdoutPipe?.fileHandleForReading.fileDescriptor else { return 0 }
        do {
            return try FileDescriptor(fd).read(into: buffer, path: name)
        } catch let error as SystemError {
            throw EngineError.invalidArgument("reading from \(name) failed: \(error.reason)", hint: nil)
        }
    }

    /// Writes to the child's stdin; returns false when the child closed its end (it exited or failed).
    public func writeStdin(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let fd = stdinPipe?.fileHandleForWriting.fileDescriptor else { return true }
        return (try? FileDescriptor(fd).writeAll(bytes, path: name)) != nil
    }

    public func closeStdin() {
        try? stdinPipe?.fileHandleForWriting.close()
    }

    /// Waits for the child and its stderr; returns the exit status (128 + signal when killed).
    public func wait() -> Int32 {
        closeStdin()
        process.waitUntilExit()
        stderrDone.wait()
        stderrDone.signal()
        if process.terminationReason == .uncaughtSignal { return 128 + process.terminationStatus }
        return process.terminationStatus
    }

    public func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// Sends `number` to the child and to its own children (pg_dump's and pg_restore's parallel workers), then
    /// `then` when given: to its process group (Foundation starts every child as a group leader, and forked
    /// workers stay in it), else to the children /proc lists.
    public func signalTree(_ number: Int32, then next: Int32? = nil) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        if getpgid(pid) == pid {
            kill(-pid, number)
            if let next { kill(-pid, next) }
            return
        }
        var pids = [pid]
        let listing = "/proc/\(pid)/task/\(pid)/children"
        if let fd = try? FileDescriptor.open(listing, O_RDONLY) {
            defer { fd.close() }
            let text = String(decoding: (try? fd.readToEnd(path: listing)) ?? [], as: UTF8.self)
            pids += text.split(separator: " ").compactMap { Int32($0) }
        }
        for target in pids { kill(target, number) }
        if let next { for target in pids { kill(target, next) } }
    }

    /// Whether the child has not exited yet (a caller polling it while it does other work).
    public var isRunning: Bool { process.isRunning }

    /// The last lines the child wrote to stderr, for error messages.
    public var stderrTail: String {
        tailLock.lock()
        defer { tailLock.unlock() }
        return String(decoding: tail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func appendTail(_ bytes: ArraySlice<UInt8>) {
        tailLock.lock()
        tail.append(contentsOf: bytes)
        if tail.count > Self.tailLimit { tail.removeFirst(tail.count - Self.tailLimit) }
        tailLock.unlock()
    }
}
