// DumpDirectoryFeed: a directory-format dump presented to pg_restore without a local copy of it. A private
// directory (0700) holds the real `toc.dat` (the schema, authenticated whole before pg_restore starts) and a named
// pipe named like each other file of the dump. A feeder thread per pipe waits until pg_restore opens it, then
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
    private var opened: Set<String> = []
    private var feeders: [BackgroundTask<Void>] = []
    private var removal: Int?
    /// Kills pg_restore (set once it runs): called by the first feeder that meets damaged data.
    private var stopRestore: (@Sendable () -> Void)?

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
        var template = Array((base + "/lifeboat-restore-XXXXXX").utf8CString)
        guard
            let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({
                String(cString: $0)
            })
        else {
            throw EngineError.invalidArgument(
                "cannot create a private directory in '\(base)': \(String(cString: strerror(errno)))",
                hint: "set TMPDIR to a writable directory (it holds the dump's table of contents, not its data)")
        }
        privateDirectory = made
        directory = made + "/dump"
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

    /// Starts one feeder per pipe; `stop` kills pg_restore (and its workers) at once.
    func start(stop: @escaping @Sendable () -> Void) {
        lock.withLock { stopRestore = stop }
        for file in record.files ?? [] {
            let task = BackgroundTask(name: "lifeboat-feed") { [self] in feed(file) }
            lock.withLock { feeders.append(task) }
        }
    }

    private func feed(_ file: DumpFileRecord) {
        let path = directory + "/" + file.name
        // Blocks until pg_restore opens the pipe (or `finish` opens it to release this feeder).
        guard let fd = try? FileDescriptor.open(path, O_WRONLY) else { return }
        defer { fd.close() }
        let proceed = lock.withLock { () -> Bool in
            guard !cancelled else { return false }
            opened.insert(file.name)
            return true
        }
        guard proceed else { return }
        do {
            try Failpoint.hit("restore.feed.before")
            try source.withEntryReader(file.object, entryName: file.name) { read in
                var buffer = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try read($0) }
                    if count == 0 { break }
                    try buffer.withUnsafeBytes { bytes in
                        do {
                            try fd.writeAll(UnsafeRawBufferPointer(rebasing: bytes[0..<count]), path: path)
                        } catch let error as SystemError {
                            throw FeedBrokenPipe(error: error)
                        }
                    }
                }
            }
            // The whole object authenticated; closing the pipe (on return) lets pg_restore finish this file.
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

    private func record(_ failure: FeedFailure) {
        lock.withLock { failures.append(failure) }
    }

    /// After pg_restore exited: releases feeders still waiting for it to open their pipe, waits for every feeder,
    /// and returns what failed. Damaged data comes first: it is why pg_restore was stopped.
    func finish() -> (damage: Error?, brokenPipe: Error?) {
        let files = lock.withLock { () -> [DumpFileRecord] in
            cancelled = true
            return (record.files ?? []).filter { !opened.contains($0.name) }
        }
        for file in files {
            // Opening the read end releases a writer blocked in open(2); it sees `cancelled` and leaves.
            let path = directory + "/" + file.name
            if let reader = try? FileDescriptor.open(path, O_RDONLY | O_NONBLOCK) {
                reader.close()
            }
        }
        let tasks = lock.withLock { feeders }
        for task in tasks { try? task.join() }
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
