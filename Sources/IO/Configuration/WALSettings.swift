// WALSettings: how `wal get` and `wal push` use parallelism, and asynchronous archiving (the `wal:` section).

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
    /// The zstd level of WAL objects when it differs from `compression.level` (WAL is archived all day long, and
    /// compression is most of its CPU per segment); nil: `compression.level`.
    public var compressionLevel: Int?
    /// With async: the bytes of WAL that may wait in pg_wal before `wal push` drops a segment it cannot confirm
    /// (reports it archived without archiving it, recorded loudly in the spool); nil never drops.
    public var queueMax: Int?

    public static let defaultPrefetch = 8
    public static let defaultPushParallel = 4
    public static let defaultAsyncTimeout = 60

    public init(
        prefetch: Int = Self.defaultPrefetch, pushParallel: Int = Self.defaultPushParallel, async: Bool = false,
        spoolDir: String? = nil, asyncTimeout: Int = Self.defaultAsyncTimeout, compressionLevel: Int? = nil,
        queueMax: Int? = nil
    ) {
        self.prefetch = prefetch
        self.pushParallel = pushParallel
        self.async = async
        self.spoolDir = spoolDir
        self.asyncTimeout = asyncTimeout
        self.compressionLevel = compressionLevel
        self.queueMax = queueMax
    }

    enum CodingKeys: String, CodingKey {
        case prefetch
        case pushParallel = "push_parallel"
        case async
        case spoolDir = "spool_dir"
        case asyncTimeout = "async_timeout"
        case compressionLevel = "compression_level"
        case queueMax = "queue_max"
    }
}
