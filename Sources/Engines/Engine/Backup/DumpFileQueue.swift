// DumpFileQueue: the files of a parallel pg_dump (DirectoryDump) between the thread that watches pg_dump's directory
// and the threads that store them: which are still being written, which wait for an uploader, how far each has
// been read, and the first failure, which stops everyone.
import Catalog
import Foundation

final class DumpFileQueue: @unchecked Sendable {
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    /// Waiting for an uploader, oldest first.
    private var pending: [String] = []
    /// Created by pg_dump and not closed yet.
    private var writing: Set<String> = []
    /// Created and not stored yet, with the bytes read of each.
    private var unstored: [String: Int64] = [:]
    private var records: [DumpFileRecord] = []
    private var ended = false
    private var firstFailure: Error?

    /// pg_dump created `name`. A data file is read while it grows; a large-object list only once complete
    /// (pg_dump keeps it open while it writes the files it lists).
    func created(_ name: String) {
        condition.withLock {
            writing.insert(name)
            unstored[name] = 0
            if !DumpFileRecord.isListFileName(name) { pending.append(name) }
            condition.broadcast()
        }
    }

    /// pg_dump closed `name`: every byte of it is on disk.
    func closed(_ name: String) {
        condition.withLock {
            guard writing.remove(name) != nil else { return }
            if DumpFileRecord.isListFileName(name) { pending.append(name) }
            condition.broadcast()
        }
    }

    /// The next file to store; nil once the dump ended (or failed) and nothing waits.
    func next() -> String? {
        condition.withLock {
            while pending.isEmpty && !ended && firstFailure == nil { condition.wait() }
            guard firstFailure == nil, !pending.isEmpty else { return nil }
            return pending.removeFirst()
        }
    }

    func isBeingWritten(_ name: String) -> Bool { condition.withLock { writing.contains(name) } }

    func read(_ name: String, upTo offset: Int64) { condition.withLock { unstored[name] = offset } }

    func stored(_ record: DumpFileRecord) {
        condition.withLock {
            unstored[record.name] = nil
            records.append(record)
        }
    }

    /// Keeps the first failure and wakes every waiting thread.
    func fail(_ error: Error) {
        condition.withLock {
            if firstFailure == nil { firstFailure = error }
            condition.broadcast()
        }
    }

    /// No file will be created any more: uploaders stop once the queue is empty.
    func end() {
        condition.withLock {
            ended = true
            condition.broadcast()
        }
    }

    var failure: Error? { condition.withLock { firstFailure } }

    /// Bytes pg_dump wrote that are not read yet: what local disk holds (`size` gives a file's current length).
    func unread(size: (String) -> Int64) -> Int64 {
        let snapshot = condition.withLock { unstored }
        return snapshot.reduce(0) { total, file in total + max(0, size(file.key) - file.value) }
    }

    /// Files created and not stored (empty after a complete dump), and the stored ones by name.
    var leftovers: [String] { condition.withLock { unstored.keys.sorted() } }
    var storedRecords: [DumpFileRecord] { condition.withLock { records.sorted { $0.name < $1.name } } }
}
