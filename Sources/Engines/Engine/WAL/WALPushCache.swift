// WALPushCache: what one process's pushes (a WALArchive) learn once and reuse for a while instead of asking the
// repository again for every segment (docs/format.md §8.3, §1): the cluster's pinned system identifier, and that
// the store refuses a second exclusive create. The background pusher pushes hundreds of segments per run; without
// this, each of them read and decrypted the system record and wrote its record twice.
//
// Both facts are re-checked after `interval` (60 s) even in a process that runs for days (`wal receive`):
// - the system record is created once and never changed or deleted by Lifeboat (prune keeps it), so a cached
//   identifier is the repository's until someone deletes the record by hand; a pusher then re-creates it from
//   the next segment within a minute, as the first push of a fresh archive would;
// - a store's handling of If-None-Match is a property of the server, not of a key; proving it on the first
//   commit and then once a minute still catches a server that ignores it before more than a minute of records
//   rests on it, and every lock acquisition keeps proving it independently (§7).
// A one-shot `wal push` has one commit, so it reads and proves everything as before.
import Foundation

final class WALPushCache: @unchecked Sendable {  // mutable state only under `lock`
    static let interval: TimeInterval = 60

    private let lock = NSLock()
    private let clock: () -> TimeInterval
    private var systemIdentifier: (value: String, at: TimeInterval)?
    private var exclusiveCreateProvenAt: TimeInterval?

    /// `clock` is monotonic seconds (tests advance it); the default is the system's uptime.
    init(clock: @escaping () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }) {
        self.clock = clock
    }

    /// The system identifier read or created within the interval; nil means read the system record.
    func pinnedSystemIdentifier() -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard let systemIdentifier, clock() - systemIdentifier.at < Self.interval else { return nil }
        return systemIdentifier.value
    }

    /// Remembers the identifier the system record holds (just read, or just created by this process).
    func rememberSystemIdentifier(_ value: String) {
        lock.lock()
        defer { lock.unlock() }
        systemIdentifier = (value, clock())
    }

    /// Whether the record this push just created must be created a second time (which the store must refuse):
    /// true until a proof succeeded, and again once the last successful one is older than the interval.
    /// Concurrent commits before the first success all prove it (a few extra creates, no commit unproven).
    func needsExclusiveCreateProof() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let provenAt = exclusiveCreateProvenAt else { return true }
        return clock() - provenAt >= Self.interval
    }

    /// The store refused a second create of a record this process had just created.
    func exclusiveCreateProven() {
        lock.lock()
        defer { lock.unlock() }
        exclusiveCreateProvenAt = clock()
    }
}
