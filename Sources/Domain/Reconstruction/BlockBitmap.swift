// BlockBitmap: a fixed-size set of block numbers, one bit each (a 1 GiB segment's 131,072 blocks take 16 KiB).
public struct BlockBitmap: Sendable, Equatable {
    public let count: Int
    private var words: [UInt64]

    public init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) / 64)
    }

    public subscript(block: Int) -> Bool {
        guard block >= 0, block < count else { return false }
        return words[block >> 6] & (1 << UInt64(block & 63)) != 0
    }

    /// Adds `block` (ignored outside 0..<count).
    public mutating func insert(_ block: Int) {
        guard block >= 0, block < count else { return }
        words[block >> 6] |= 1 << UInt64(block & 63)
    }

    /// How many blocks below `limit` are in the set.
    public func population(below limit: Int) -> Int {
        let end = min(limit, count)
        guard end > 0 else { return 0 }
        let full = end >> 6
        var total = words[0..<full].reduce(0) { $0 + $1.nonzeroBitCount }
        if end & 63 != 0 { total += (words[full] & ((1 << UInt64(end & 63)) - 1)).nonzeroBitCount }
        return total
    }

    /// The blocks in the set, ascending.
    public var elements: [Int] { (0..<count).filter { self[$0] } }
}
