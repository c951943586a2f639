// IncrementalFileHeader: the header of an `INCREMENTAL.<name>` entry, PostgreSQL 17+'s own delta form
// (docs/format.md §6.5): uint32 magic 0xd3ae1f0d, uint32 n (blocks stored), uint32 truncation_block_length, n
// uint32 block numbers, zero bytes up to the next multiple of the block size when n > 0, then the n blocks in the
// order of the numbers. Read in two steps because the numbers' count is in the fixed part.
public struct IncrementalFileHeader: Sendable, Equatable {
    public static let magic: UInt32 = 0xd3ae_1f0d
    /// Magic, n and truncation_block_length.
    public static let fixedSize = 12

    /// n: the blocks the entry stores.
    public let blockCount: Int
    /// The limit T: an older backup may supply only blocks below it.
    public let truncationBlockLength: Int

    /// Parses the 12 fixed bytes; the counts are bounded by a segment's blocks, as pg_combinebackup bounds them.
    public init(fixed bytes: [UInt8]) throws {
        guard bytes.count == Self.fixedSize else { throw DeltaError("its header is shorter than 12 bytes") }
        let magic = LittleEndian.uint32(bytes, at: 0)
        guard magic == Self.magic else {
            throw DeltaError("bad magic number 0x\(String(magic, radix: 16)) (expected 0xd3ae1f0d)")
        }
        blockCount = Int(LittleEndian.uint32(bytes, at: 4))
        truncationBlockLength = Int(LittleEndian.uint32(bytes, at: 8))
        let limit = BlockGeometry.maxBlocksPerFile
        guard blockCount <= limit else {
            throw DeltaError("it claims \(blockCount) blocks, more than a segment's \(limit)")
        }
        guard truncationBlockLength <= limit else {
            throw DeltaError("its truncation length \(truncationBlockLength) exceeds a segment's \(limit) blocks")
        }
    }

    /// Bytes of the block numbers after the fixed part.
    public var blockNumbersSize: Int { 4 * blockCount }

    /// The whole header, padding included: the first block starts here.
    public var headerSize: Int {
        let raw = Self.fixedSize + blockNumbersSize
        guard blockCount > 0 else { return raw }
        let block = BlockGeometry.blockSize
        return (raw + block - 1) / block * block
    }

    /// Zero bytes between the block numbers and the first block.
    public var paddingSize: Int { headerSize - Self.fixedSize - blockNumbersSize }

    /// The size the tar entry must have.
    public var entrySize: Int64 { Int64(headerSize) + Int64(blockCount) * Int64(BlockGeometry.blockSize) }

    public func check(entrySize actual: Int64) throws {
        guard actual == entrySize else {
            throw DeltaError("it is \(actual) bytes, but its header describes \(entrySize) (\(blockCount) blocks)")
        }
    }

    /// The block numbers, in the order the blocks follow; each below a segment's length and none twice.
    public func blockNumbers(_ bytes: [UInt8]) throws -> [Int] {
        guard bytes.count == blockNumbersSize else { throw DeltaError("its block numbers are cut short") }
        var seen = BlockBitmap(count: BlockGeometry.maxBlocksPerFile)
        return try (0..<blockCount).map { index in
            let number = Int(LittleEndian.uint32(bytes, at: 4 * index))
            guard number < BlockGeometry.maxBlocksPerFile else {
                throw DeltaError(
                    "block number \(number) is out of range (a segment has \(BlockGeometry.maxBlocksPerFile))")
            }
            guard !seen[number] else { throw DeltaError("block number \(number) is stored twice") }
            seen.insert(number)
            return number
        }
    }

    /// The padding must be zeros.
    public func checkPadding(_ bytes: [UInt8]) throws {
        guard bytes.count == paddingSize, bytes.allSatisfy({ $0 == 0 }) else {
            throw DeltaError("the padding after its block numbers is not zeros")
        }
    }

    /// The file's length in blocks, L = max(T, largest block number + 1).
    public func length(blocks: [Int]) -> Int {
        max(truncationBlockLength, (blocks.max() ?? -1) + 1)
    }
}
