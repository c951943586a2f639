// LBDeltaHeader: the header of an `LBDELTA.<name>` entry, lifeboat's page-lsn delta form (docs/format.md §6.5):
// 8 bytes ASCII "LBDELTA1", uint32 L (the file's length in blocks), uint32 B (block size); then L blocks, each
// the block if stored or B zero bytes if not; then ⌈L/8⌉ bytes of bitmap, bit i (byte i/8, least significant
// bit first) set when block i is stored. The bitmap comes last, so a reader streaming the blocks learns which
// zero blocks are stored only at the end (a non-zero block must be stored).
public struct LBDeltaHeader: Sendable, Equatable {
    public static let magic = Array("LBDELTA1".utf8)
    public static let size = 16

    /// L: the file's length in blocks, which is also its limit T.
    public let length: Int

    public init(_ bytes: [UInt8]) throws {
        length = try Self.fileLength(bytes, headerSize: Self.size, magic: Self.magic)
    }

    /// The 16 bytes both versions of `LBDELTA` begin with — magic, L, B — checked against a header of
    /// `headerSize` bytes; returns L.
    static func fileLength(_ bytes: [UInt8], headerSize: Int, magic: [UInt8]) throws -> Int {
        guard bytes.count == headerSize else { throw DeltaEntryError("its header is shorter than \(headerSize) bytes") }
        guard Array(bytes[0..<8]) == magic else {
            throw DeltaEntryError("bad magic (expected '\(String(decoding: magic, as: UTF8.self))')")
        }
        let length = Int(LittleEndian.uint32(bytes, at: 8))
        let blockSize = Int(LittleEndian.uint32(bytes, at: 12))
        guard blockSize == BlockGeometry.blockSize else {
            throw DeltaEntryError("block size \(blockSize) (expected \(BlockGeometry.blockSize))")
        }
        guard length <= BlockGeometry.maxBlocksPerFile else {
            throw DeltaEntryError("length \(length) blocks exceeds a segment's \(BlockGeometry.maxBlocksPerFile)")
        }
        return length
    }

    public var bitmapSize: Int { (length + 7) / 8 }

    /// The size the tar entry must have: 16 + L·B + ⌈L/8⌉.
    public var entrySize: Int64 {
        Int64(Self.size) + Int64(length) * Int64(BlockGeometry.blockSize) + Int64(bitmapSize)
    }

    public func check(entrySize actual: Int64) throws {
        guard actual == entrySize else {
            throw DeltaEntryError("it is \(actual) bytes, but its header describes \(entrySize) (\(length) blocks)")
        }
    }

    /// The stored blocks; bits past L must be clear.
    public func storedBlocks(_ bitmap: [UInt8]) throws -> BlockBitmap {
        guard bitmap.count == bitmapSize else { throw DeltaEntryError("its bitmap is cut short") }
        var stored = BlockBitmap(count: length)
        for (index, byte) in bitmap.enumerated() where byte != 0 {
            for bit in 0..<8 where byte & (1 << bit) != 0 {
                let block = index * 8 + bit
                guard block < length else {
                    throw DeltaEntryError("its bitmap marks block \(block) past its length \(length)")
                }
                stored.insert(block)
            }
        }
        return stored
    }
}
