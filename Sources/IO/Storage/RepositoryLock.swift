// RepositoryLock: one writer at a time, through the store's exclusive create (docs/format.md §7).
// Acquire: create `locks/<name>.lock` exclusively, holding this run's LockHolder (with a random nonce). When it
// exists, read it: a live holder, or one on another host, refuses the run (exit 5, naming it). A holder on this
// host whose pid is gone is broken by StaleLockBreaker, race-free: of any number of runs that saw the same dead
// holder, at most one removes its lock, and none can remove a lock taken after it. A lock that vanishes between
// the failed create and the read (its holder just finished) is retried, not an error.
// Every acquisition also proves that the store honours exclusive create (a second create must fail): a store
// that silently overwrites would let two writers in, so it is refused.
// Release deletes the lock only while it still holds this run's nonce.
import Diagnostics
import Foundation

public final class RepositoryLock: @unchecked Sendable {
    // Immutable after init except `released`, which is guarded by `mutex` (signal handlers may release too).
    public let name: String
    public let holder: LockHolder
    private let store: BlobStore
    private let key: ObjectKey
    private let mutex = NSLock()
    private var released = false
    static let attempts = 20

    /// Takes the lock or throws `StoreError.locked` naming the holder.
    public init(store: BlobStore, name: String, command: String) throws {
        self.store = store
        self.name = name
        self.key = try ObjectKey("locks", name + ".lock")
        self.holder = LockHolder.current(command: command)
        try acquire()
    }

    deinit { release() }

    private func acquire() throws {
        let encoded = Array(try LockHolder.encoder.encode(holder))
        let breaker = StaleLockBreaker(store: store, me: holder)
        for attempt in 0..<Self.attempts {
            try Failpoint.hit("lock.acquire.before")
            if try store.createExclusive(key, data: encoded) {
                try proveExclusive(encoded)
                try Failpoint.hit("lock.acquire.after")
                return
            }
            // Gone again: just released.
            guard let existing = try Self.readHolder(store: store, key: key, name: name) else { continue }
            // Our own create went through but its answer was lost, and the retry was refused: we hold it.
            if existing == holder {
                try Failpoint.hit("lock.acquire.after")
                return
            }
            guard existing.isDeadOnThisHost else { throw StoreError.locked(name: name, holder: existing.description) }
            if try !breaker.breakLock(key, heldBy: existing) {
                // Another run is breaking it right now; give it a moment, then look again.
                usleep(UInt32(10_000 * min(attempt + 1, 10)))
            }
        }
        let last = try Self.readHolder(store: store, key: key, name: name)
        throw StoreError.locked(name: name, holder: last?.description ?? "a run that keeps taking and releasing it")
    }

    /// A second exclusive create of the key this run just created must fail. When it succeeds the store ignores
    /// If-None-Match (or link(2) is not atomic there); the lock is given up and the run refused.
    private func proveExclusive(_ encoded: [UInt8]) throws {
        guard try store.createExclusive(key, data: encoded) else { return }
        try? store.delete(key)
        throw StoreError.exclusiveCreateIgnored(location: store.location)
    }

    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard !released else { return }
        released = true
        try? Failpoint.hit("lock.release.before")
        // Only our own acquisition is deleted: an operator may have removed a lock by hand and another run taken it.
        guard let current = try? Self.readHolder(store: store, key: key, name: name), current == holder else { return }
        try? store.delete(key)
    }

    /// The holder recorded in a lock object; nil when there is none (any more).
    static func readHolder(store: BlobStore, key: ObjectKey, name: String) throws -> LockHolder? {
        let bytes: [UInt8]
        do {
            bytes = try store.get(key)
        } catch StoreError.notFound {
            return nil
        }
        guard let holder = try? LockHolder.decoder.decode(LockHolder.self, from: Data(bytes)) else {
            throw StoreError.staleLockUnreadable(name: name)
        }
        return holder
    }
}
