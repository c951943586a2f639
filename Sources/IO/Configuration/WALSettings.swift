// WALSettings: how `wal get` and `wal push` use parallelism (the `wal:` section).

public struct WALSettings: Sendable, Equatable, Codable {
    /// Segments `wal get` fetches ahead of recovery into pg_wal/lifeboat-prefetch/; 0 disables prefetching.
    public var prefetch: Int
    /// Other `.ready` segments `wal push` archives alongside the one PostgreSQL asked for; 0 pushes only that one.
    public var pushParallel: Int

    public static let defaultPrefetch = 8
    public static let defaultPushParallel = 4

    public init(prefetch: Int = Self.defaultPrefetch, pushParallel: Int = Self.defaultPushParallel) {
        self.prefetch = prefetch
        self.pushParallel = pushParallel
    }

    enum CodingKeys: String, CodingKey {
        case prefetch
        case pushParallel = "push_parallel"
    }
}
