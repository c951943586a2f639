// WALSettings: how `wal get`, `wal push` and `wal receive` work, and asynchronous archiving (the `wal:` section).

public struct WALSettings: Sendable, Equatable, Codable {
    /// Segments `wal get` fetches ahead of recovery into pg_wal/lifeboat-prefetch/; 0 disables prefetching.
    public var prefetch: Int
    /// Other `.ready` segments `wal push` archives alongside the one PostgreSQL asked for; 0 pushes only that one.
    /// With `async`, the background pusher's concurrent uploads (at least 1).
    public var pushParallel: Int
    /// Asynchronous archiving: a background pusher archives `.ready` segments ahead of PostgreSQL's archiver and
    /// `wal push` answers from its markers (docs/format.md §8.6).
    public var async: Bool
    /// Where the background pusher keeps its lock, state and markers (`<spool_dir>/<cluster>/`); required with async.
    public var spoolDir: String?
    /// Seconds `wal push` waits for the pusher to archive a segment before it fails (PostgreSQL then retries).
    public var asyncTimeout: Int
    /// The zstd level of WAL objects (WAL is archived all day long, and compression is most of its CPU per
    /// segment); nil: `defaultCompressionLevel`, whatever `compression.level` is.
    public var compressionLevel: Int?
    /// With async: the bytes of WAL that may wait in pg_wal before `wal push` drops a segment it cannot confirm
    /// (reports it archived without archiving it, recorded loudly in the spool); nil never drops.
    public var queueMax: Int?
    /// Seconds between two partial segments `wal receive` stores (and acknowledges) while a segment fills.
    public var partialEvery: Double
    /// The physical replication slot `wal receive` streams through; nil: `lifeboat_<cluster>` (defaultSlot).
    public var slot: String?
    /// `wal receive` warns when the server retains more WAL than this for its slot (bytes).
    public var slotRetainedWarn: Int

    public static let defaultPrefetch = 8
    public static let defaultPushParallel = 4
    public static let defaultAsyncTimeout = 60
    public static let defaultPartialEvery = 10.0
    public static let defaultSlotRetainedWarn = 1 << 30
    /// Measured on 16 MiB segments of insert-heavy and of pgbench WAL (docs/configuration.md): level 1 costs 15–45 %
    /// less CPU per segment than level 3 and stores no more (insert-heavy WAL: less).
    public static let defaultCompressionLevel = 1

    public init(
        prefetch: Int = Self.defaultPrefetch, pushParallel: Int = Self.defaultPushParallel, async: Bool = false,
        spoolDir: String? = nil, asyncTimeout: Int = Self.defaultAsyncTimeout, compressionLevel: Int? = nil,
        queueMax: Int? = nil, partialEvery: Double = Self.defaultPartialEvery, slot: String? = nil,
        slotRetainedWarn: Int = Self.defaultSlotRetainedWarn
    ) {
        self.prefetch = prefetch
        self.pushParallel = pushParallel
        self.async = async
        self.spoolDir = spoolDir
        self.asyncTimeout = asyncTimeout
        self.compressionLevel = compressionLevel
        self.queueMax = queueMax
        self.partialEvery = partialEvery
        self.slot = slot
        self.slotRetainedWarn = slotRetainedWarn
    }

    /// The slot name for `cluster` when none is configured: slot names allow only `a-z 0-9 _` (63 at most).
    public static func defaultSlot(cluster: String) -> String {
        let mapped = cluster.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }
        return String(("lifeboat_" + String(mapped)).prefix(63))
    }

    /// The slot `wal receive` uses for `cluster`.
    public func slotName(cluster: String) -> String { slot ?? Self.defaultSlot(cluster: cluster) }

    enum CodingKeys: String, CodingKey {
        case prefetch
        case pushParallel = "push_parallel"
        case async
        case spoolDir = "spool_dir"
        case asyncTimeout = "async_timeout"
        case compressionLevel = "compression_level"
        case queueMax = "queue_max"
        case partialEvery = "partial_every"
        case slot
        case slotRetainedWarn = "slot_retained_warn"
    }
}
