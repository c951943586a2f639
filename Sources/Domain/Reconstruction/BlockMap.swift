// BlockMap: what is still missing of one relation file while a chain is restored newest backup first
// (docs/format.md §6.5). The newest backup's delta fixes the file's length L and the first limit T; every block
// a backup writes is marked, so no older backup overwrites it; each older delta lowers the limit to its own T,
// because a block at or past a newer backup's truncation point is zeros or newer, never older data. The file is
// complete once every block below the limit is written: blocks at or past it stay zeros.
public struct BlockMap: Sendable, Equatable {
    /// L, in blocks.
    public let length: Int
    /// The running limit: older backups may supply only blocks below it.
    public private(set) var limit: Int
    /// Blocks below the limit that no backup has written yet.
    public private(set) var missing: Int
    private var written: BlockBitmap

    public init(length: Int, limit: Int) {
        self.length = length
        self.limit = max(0, min(limit, length))
        missing = self.limit
        written = BlockBitmap(count: self.limit)
    }

    /// Whether an older backup's copy of `block` is to be written: below the limit and not written yet.
    public func needs(_ block: Int) -> Bool {
        block >= 0 && block < limit && !written[block]
    }

    /// Records that `block` is in place (a block the map does not need is ignored).
    public mutating func markWritten(_ block: Int) {
        guard needs(block) else { return }
        written.insert(block)
        missing -= 1
    }

    /// A newer-to-older step past a delta whose limit is `truncation`: nothing at or past it comes from further back.
    public mutating func lowerLimit(to truncation: Int) {
        guard truncation < limit else { return }
        limit = max(0, truncation)
        missing = limit - written.population(below: limit)
    }

    /// Nothing older can add anything.
    public var isComplete: Bool { missing == 0 }
}
