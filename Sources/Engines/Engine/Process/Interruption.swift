// Interruption: what happens on SIGINT, SIGTERM or SIGHUP. Registered cleanups run newest first (stop child
// processes, abort uploads, delete a partial backup's objects, release locks), then the process exits with
// status 1. Nothing half-written stays visible: an interrupted backup has no manifest, so it is never listed.
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

public final class Interruption: @unchecked Sendable {
    // `cleanups` and `nextToken` are guarded by `lock`; signal sources are created once in `install`.
    public static let shared = Interruption()
    private let lock = NSLock()
    private var cleanups: [(token: Int, action: @Sendable () -> Void)] = []
    private var nextToken = 0
    private var handling = false
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "lifeboat.signals")
    /// The exit status after a signal's cleanups: 1 (interrupted), except for services such as `wal receive`,
    /// whose normal end is a SIGTERM; set once before work starts.
    public var exitStatusOnSignal: Int32 = 1

    public func install() {
        signal(SIGPIPE, SIG_IGN)  // a child that exits early must produce an error, not kill us
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [self] in self.handle(number) }
            source.resume()
            sources.append(source)
        }
    }

    @discardableResult
    public func register(_ action: @escaping @Sendable () -> Void) -> Int {
        lock.lock()
        defer { lock.unlock() }
        nextToken += 1
        cleanups.append((nextToken, action))
        return nextToken
    }

    public func unregister(_ token: Int) {
        lock.lock()
        cleanups.removeAll { $0.token == token }
        lock.unlock()
    }

    /// Called before the process exits normally: while a signal's cleanups run (they end with exit(1)), the
    /// main thread must not exit under them — a half-removed scratch directory would stay behind.
    public func waitIfInterrupted() {
        lock.lock()
        let interrupted = handling
        lock.unlock()
        guard interrupted else { return }
        while true { sleep(60) }
    }

    private func handle(_ number: Int32) {
        lock.lock()
        handling = true
        let actions = cleanups.reversed().map(\.action)
        cleanups.removeAll()
        lock.unlock()
        for action in actions { action() }
        let error = EngineError.interrupted(signal: number)
        guard exitStatusOnSignal == error.exitStatus.rawValue else { _exit(exitStatusOnSignal) }
        FileHandle.standardError.write(Data("error: \(error.message)\nHINT: \(error.hint ?? "")\n".utf8))
        // _exit, not exit: the main thread may still be inside libpq, OpenSSL or the pipeline; exit() would run
        // atexit handlers and global destructors under it and the process could die of SIGSEGV instead of
        // exiting 1. Everything that must happen on the way out has just been done by the cleanups.
        _exit(error.exitStatus.rawValue)
    }
}
