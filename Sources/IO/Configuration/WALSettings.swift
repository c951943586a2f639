// WALSettings: how `wal get`, `wal push` and `wal receive` work (the `wal:` section).

public struct WALSettings: Sendable, Equatable, Codable {
    /// Segments `wal get` fetches ahead of recovery into pg_wal/lifeboat-prefetch/; 0 disables prefetching.
    public var prefetch: Int
    /// Other `.ready` segments `wal push` archives alongside the one PostgreSQL asked for; 0 pushes only that one.
    public var pushParallel: Int
    /// Seconds between two partial segments `wal receive` stores (and acknowledges) while a segment fills.
    public var partialEvery: Double
    /// The physical replication slot `wal receive` streams through; nil: `lifeboat_<cluster>` (defaultSlot).
    public var slot: String?
    /// `wal receive` warns when the server retains more WAL than this for its slot (bytes).
    public var slotRetainedWarn: Int

    public static let defaultPrefetch = 8
    public static let defaultPushParallel = 4
    public static let defaultPartialEvery = 10.0
    public static let defaultSlotRetainedWarn = 1 << 30

    public init(
        prefetch: Int = Self.defaultPrefetch, pushParallel: Int = Self.defaultPushParallel,
        partialEvery: Double = Self.defaultPartialEvery, slot: String? = nil,
        slotRetainedWarn: Int = Self.defaultSlotRetainedWarn
    ) {
        self.prefetch = prefetch
        self.pushParallel = pushParallel
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
        case partialEvery = "partial_every"
        case slot
        case slotRetainedWarn = "slot_retained_warn"
    }
}
