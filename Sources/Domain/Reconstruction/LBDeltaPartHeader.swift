// LBDeltaPartHeader: the header of one part of a sparse `LBDELTA.<name>` file (docs/format.md §6.5): 8 bytes ASCII
// "LBDELTA2", uint32 L (the file's length in blocks), uint32 B (block size), uint32 n (blocks in this part, at most
// 128), uint32 flags (bit 0: the file's last part); then n uint32 block numbers and the n blocks. A file is one or
// more consecutive parts of the same name; the numbers increase strictly across all of them and stay below L.
public struct LBDeltaPartHeader: Sendable, Equatable {
    public static let magic = Array("LBDELTA2".utf8)
    public static let size = 24
    public static let maximumBlocks = 128

    /// L: the file's length in blocks, which is also its limit T.
    public let length: Int
    /// n: the blocks this part holds.
    public let count: Int
    /// The file's last part.
    public let isLast: Bool

    public init(_ bytes: [UInt8]) throws {
        length = try LBDeltaHeader.fileLength(bytes, headerSize: Self.size, magic: Self.magic)
        count = Int(LittleEndian.uint32(bytes, at: 16))
        let flags = LittleEndian.uint32(bytes, at: 20)
        guard count <= Self.maximumBlocks, count <= length else {
            throw DeltaEntryError(
                "a part of \(count) blocks (at most \(Self.maximumBlocks), and \(length) in the file)")
        }
        guard flags & ~1 == 0 else { throw DeltaEntryError("unknown flags \(flags)") }
        isLast = flags & 1 != 0
    }

    public var numbersSize: Int { 4 * count }

    /// The size the tar entry must have: 24 + 4n + n·B.
    public var entrySize: Int64 { Int64(Self.size + numbersSize) + Int64(count) * Int64(BlockGeometry.blockSize) }

    public func check(entrySize actual: Int64) throws {
        guard actual == entrySize else {
            throw DeltaEntryError("a part is \(actual) bytes, but its header describes \(entrySize) (\(count) blocks)")
        }
    }

    /// The part's block numbers, each greater than the one before (and than `after`, the last number of the file's
    /// earlier parts, -1 for its first part) and below L.
    public func blockNumbers(_ bytes: [UInt8], after previous: Int) throws -> [Int] {
        guard bytes.count == numbersSize else { throw DeltaEntryError("its block numbers are cut short") }
        var last = previous
        return try (0..<count).map { index in
            let number = Int(LittleEndian.uint32(bytes, at: 4 * index))
            guard number > last else {
                throw DeltaEntryError("block \(number) follows block \(last): the numbers must increase")
            }
            guard number < length else { throw DeltaEntryError("block \(number) is past its length \(length)") }
            last = number
            return number
        }
    }
}
