// WALSettings: how `wal get` uses parallelism (the `wal:` section).

public struct WALSettings: Sendable, Equatable, Codable {
    /// Segments `wal get` fetches ahead of recovery into pg_wal/lifeboat-prefetch/; 0 disables prefetching.
    public var prefetch: Int

    public static let defaultPrefetch = 8

    public init(prefetch: Int = Self.defaultPrefetch) {
        self.prefetch = prefetch
    }
}
