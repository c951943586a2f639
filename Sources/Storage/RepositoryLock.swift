// RepositoryLock: one writer at a time, enforced through the store's atomic create-if-absent.
// The lock object names its holder (host, pid, command, start time) so a refused run can say who holds it.
// A lock left by a dead process on this same host is recognised (kill(pid, 0) fails with ESRCH) and broken;
// locks from other hosts are never broken automatically.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct LockHolder: Codable, Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    public var command: String
    public var started: Date

    public static func current(command: String) -> LockHolder {
        LockHolder(host: ProcessInfo.processInfo.hostName, pid: getpid(), command: command, started: Date())
    }

    public var description: String {
        "'\(command)' (pid \(pid) on host '\(host)', since \(ISO8601DateFormatter().string(from: started)))"
    }
}

public final class RepositoryLock: @unchecked Sendable {
    // Immutable after init except `released`, which is guarded by `mutex` (signal handlers may release too).
    public let name: String
    private let store: BlobStore
    private let key: ObjectKey
    private let mutex = NSLock()
    private var released = false

    /// Takes the lock or throws `StoreError.locked` naming the holder.
    public init(store: BlobStore, name: String, command: String) throws {
        self.store = store
        self.name = name
        self.key = try ObjectKey("locks", name + ".lock")
        let holder = LockHolder.current(command: command)
        let encoded = Array(try Self.encoder.encode(holder))
        if try store.createExclusive(key, data: encoded) { return }
        let existing = try Self.readHolder(store: store, key: key, name: name)
        guard existing.isDeadOnThisHost else { throw StoreError.locked(name: name, holder: existing.description) }
        // The holder died without releasing: remove its lock and try once more (a racing run may win).
        try store.delete(key)
        if try store.createExclusive(key, data: encoded) { return }
        let winner = try Self.readHolder(store: store, key: key, name: name)
        throw StoreError.locked(name: name, holder: winner.description)
    }

    deinit { release() }

    public func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard !released else { return }
        released = true
        try? store.delete(key)
    }

    static func readHolder(store: BlobStore, key: ObjectKey, name: String) throws -> LockHolder {
        guard let bytes = try? store.get(key), let holder = try? decoder.decode(LockHolder.self, from: Data(bytes)) else {
            throw StoreError.staleLockUnreadable(name: name)
        }
        return holder
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

extension LockHolder {
    var isDeadOnThisHost: Bool {
        host == ProcessInfo.processInfo.hostName && kill(pid, 0) != 0 && errno == ESRCH
    }
}
