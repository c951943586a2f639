// DumpDirectoryFeed: a directory-format dump presented to pg_restore without a local copy of it. A private
// directory (0700) holds the real `toc.dat` (the schema, authenticated whole before pg_restore starts) and a named
// pipe named like each other file of the dump. When pg_restore opens a pipe, a streaming thread
// streams the file's object into it — every chunk authenticated before its bytes are written — and closes the
// pipe only after the whole object authenticated (size, SHA-256, final chunk): pg_restore reads a file's end, and
// so commits a table's COPY, only for data that is entirely genuine. On any integrity failure pg_restore and its
// workers are killed before the pipe closes, so the COPY in progress is rolled back.
import Catalog
import Diagnostics
import Foundation
import Pipeline
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class DumpDirectoryFeed: @unchecked Sendable {
    let source: ObjectSource
    let record: DatabaseRecord
    let context: EngineContext
    /// The directory pg_restore is given.
    let directory: String
    private let privateDirectory: String
    // Guarded by `lock`.
    private let lock = NSLock()
    private var failures: [FeedFailure] = []
    private var cancelled = false
    /// Pipes pg_restore opened, waiting for a streaming thread.
    private var opened: [(DumpFileRecord, FileDescriptor)] = []
    private var openedNames: Set<String> = []
    private var waiters: [BackgroundTask<Void>] = []
    private var streamers: [BackgroundTask<Void>] = []
    /// Signalled once per opened pipe, and to pass on the end.
    private let available = DispatchSemaphore(value: 0)
    private var removal: Int?
    /// Kills pg_restore (set once it runs): called by the first feeder that meets damaged data.
    private var stopRestore: (@Sendable () -> Void)?
    /// Holds every pipe being written, so that only lifeboat decides when pg_restore sees a file's end.
    private var guardian: FeedGuard?

    struct FeedFailure {
        let error: Error
        /// pg_restore stopped reading (it failed or was killed): not the cause of anything.
        let brokenPipe: Bool
    }

    /// Creates the private directory in `base`: `toc.dat`, authenticated, and a pipe per file.
    init(source: ObjectSource, record: DatabaseRecord, context: EngineContext, base: String) throws {
        self.source = source
        self.record = record
        self.context = context
        let made = try PrivateWorkDirectory.make(prefix: "lifeboat-restore-", in: base, purpose: "pg_restore's pipes")
        privateDirectory = made
        directory = made + "/dump"
        guard !made.contains("\n") else {
            try? FileManager.default.removeItem(atPath: made)
            throw EngineError.invalidArgument(
                "TMPDIR '\(base)' contains a line break", hint: "set TMPDIR to a plain directory path")
        }
        removal = Interruption.shared.register { [made] in try? FileManager.default.removeItem(atPath: made) }
        do {
            try prepare()
        } catch {
            remove()
            throw error
        }
    }

    private func prepare() throws {
        for file in record.files ?? [] where !DumpFileRecord.isDataFileName(file.name) {
            throw EngineError.manifestMismatch(
                key: record.object, detail: "database '\(record.name)' lists a dump file named '\(file.name)'")
        }
        guard mkdir(directory, 0o700) == 0 else { throw SystemError("mkdir", path: directory) }
        let tocPath = directory + "/" + RepositoryLayout.directoryTOCEntryName
        let toc = try FileDescriptor.open(tocPath, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        defer { toc.close() }
        try source.streamEntry(record.object, entryName: RepositoryLayout.directoryTOCEntryName) { bytes in
            try toc.writeAll(bytes, path: tocPath)
        }
        for file in record.files ?? [] { try FileDescriptor.makeFIFO(directory + "/" + file.name) }
    }

    /// Starts a waiter per pipe and `streams` streaming threads; `stop` kills pg_restore (and its workers) at once.
    /// A waiter only blocks in open(2) until pg_restore opens its pipe, then hands it to a streaming thread: the
    /// memory of decryption and decompression is held by those few threads only. pg_restore's workers hold at most
    /// two pipes each open at a time (a large-object list and one of its files), so 2 × jobs + 1 streaming threads
    /// never leave an opened pipe waiting.
    func start(streams: Int, guardian: FeedGuard, stop: @escaping @Sendable () -> Void) {
        lock.withLock {
            stopRestore = stop
            self.guardian = guardian
        }
        for _ in 0..<streams {
            let task = BackgroundTask(name: "lifeboat-feed") { [self] in
                while let (file, fd) = nextOpened() {
                    feed(file, fd)
                    fd.close()
                    // Each streaming thread's allocator arena keeps the high-water mark of its downloads
                    // (decompression window, buffers) after the object ends; handing it back keeps peak memory
                    // at what the pipes being fed use, not streams × their largest object.
                    Memory.trim()
                }
            }
            lock.withLock { streamers.append(task) }
        }
        for file in record.files ?? [] {
            let task = BackgroundTask(name: "lifeboat-feed-wait", stackSize: 64 << 10) { [self] in wait(for: file) }
            lock.withLock { waiters.append(task) }
        }
    }

    private func wait(for file: DumpFileRecord) {
        // Blocks until pg_restore opens the pipe (or `finish` opens it to release this waiter).
        guard let fd = try? FileDescriptor.open(directory + "/" + file.name, O_WRONLY) else { return }
        let accepted = lock.withLock { () -> Bool in
            guard !cancelled else { return false }
            opened.append((file, fd))
            openedNames.insert(file.name)
            available.signal()
            return true
        }
        if !accepted { fd.close() }
    }

    private func nextOpened() -> (DumpFileRecord, FileDescriptor)? {
        while true {
            available.wait()
            let next = lock.withLock { () -> (DumpFileRecord, FileDescriptor)?? in
                if !opened.isEmpty { return .some(opened.removeFirst()) }
                return cancelled ? .some(nil) : nil
            }
            if let next {
                if next == nil { available.signal() }  // pass the end on to the next streaming thread
                return next
            }
        }
    }

    private func feed(_ file: DumpFileRecord, _ fd: FileDescriptor) {
        let path = directory + "/" + file.name
        let guardian = lock.withLock { self.guardian }
        do {
            try guardian?.hold(path)
        } catch {
            lock.withLock { stopRestore }?()
            record(FeedFailure(error: error, brokenPipe: false))
            return
        }
        // Released only after the outcome is settled (and pg_restore stopped, when the data is damaged).
        defer { try? guardian?.release(path) }
        do {
            try Failpoint.hit("restore.feed.before")
            fd.setPipeBuffer(Self.pipeBuffer)
            // On this thread alone (not the three-stage read-ahead of a snapshot restore): pg_restore's workers and
            // their backends keep every core busy, so overlapping stages in here gains nothing, while their extra
            // buffers per file (faulted in, zeroed and copied for each of hundreds of files) cost CPU the load
            // needs. Every chunk is authenticated before it is handed over, the ledger checked before this returns.
            try source.streamEntry(file.object, entryName: file.name) { bytes in
                do {
                    try fd.writeAll(bytes, path: path)
                } catch let error as SystemError {
                    throw FeedBrokenPipe(error: error)
                }
            }
            // The whole object authenticated; closing the pipe (after return) lets pg_restore finish this file.
            try Failpoint.hit("restore.feed.close.before")
        } catch let broken as FeedBrokenPipe {
            record(FeedFailure(error: broken.error, brokenPipe: true))
        } catch {
            // Before the pipe closes: pg_restore must never see the end of a file that did not authenticate.
            let stop = lock.withLock { stopRestore }
            stop?()
            record(FeedFailure(error: error, brokenPipe: false))
        }
    }

    /// The pipe buffer asked for each fed file (1 MiB, Linux's default pipe-max-size; 64 KiB otherwise): the
    /// feeding thread then blocks and wakes 16 times less often per MiB while pg_restore reads its small pieces.
    static let pipeBuffer: Int32 = 1 << 20

    private func record(_ failure: FeedFailure) {
        lock.withLock { failures.append(failure) }
    }

    /// After pg_restore exited: releases the waiters of pipes it never opened (a read end held open lets their
    /// open(2) return, also for a waiter that gets there only now), waits for every thread, and returns what
    /// failed. Damaged data comes first: it is why pg_restore was stopped.
    func finish() -> (damage: Error?, brokenPipe: Error?) {
        let unopened = lock.withLock { () -> [DumpFileRecord] in
            cancelled = true
            return (record.files ?? []).filter { !openedNames.contains($0.name) }
        }
        available.signal()
        let readers = unopened.compactMap { try? FileDescriptor.open(directory + "/" + $0.name, O_RDONLY | O_NONBLOCK) }
        defer { for reader in readers { reader.close() } }
        for task in lock.withLock({ waiters }) { try? task.join() }
        for task in lock.withLock({ streamers }) { try? task.join() }
        // Pipes opened after the streaming threads ended (pg_restore had exited): nobody reads them.
        for (_, fd) in lock.withLock({ opened }) { fd.close() }
        let found = lock.withLock { failures }
        return (found.first { !$0.brokenPipe }?.error, found.first { $0.brokenPipe }?.error)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: privateDirectory)
        if let removal { Interruption.shared.unregister(removal) }
        removal = nil
    }
}

/// A write into a pipe pg_restore no longer reads.
private struct FeedBrokenPipe: Error {
    let error: SystemError
}
