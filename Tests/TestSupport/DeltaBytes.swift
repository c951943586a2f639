// DeltaBytes: builds the delta forms of docs/format.md §6.5 byte by byte, independently of the readers under
// test, for unit tests of the parsers and of chain restores.
import Foundation

public enum DeltaBytes {
    public static let blockSize = 8192

    public static func uint32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) }
    }

    /// A block whose every byte is `fill`.
    public static func block(_ fill: UInt8) -> [UInt8] {
        [UInt8](repeating: fill, count: blockSize)
    }

    /// `INCREMENTAL.<name>`: magic, n, truncation_block_length, the numbers, padding, the blocks.
    public static func incremental(truncation: Int, blocks: [(Int, [UInt8])], magic: UInt32 = 0xd3ae_1f0d) -> [UInt8] {
        var bytes = uint32(magic) + uint32(UInt32(blocks.count)) + uint32(UInt32(truncation))
        for (number, _) in blocks { bytes += uint32(UInt32(number)) }
        if !blocks.isEmpty, bytes.count % blockSize != 0 {
            bytes += [UInt8](repeating: 0, count: blockSize - bytes.count % blockSize)
        }
        for (_, data) in blocks { bytes += data }
        return bytes
    }

    /// `LBDELTA.<name>`: "LBDELTA1", L, B, L blocks (zeros where not stored), the bitmap.
    public static func lbdelta(length: Int, blocks: [(Int, [UInt8])]) -> [UInt8] {
        var bytes = Array("LBDELTA1".utf8) + uint32(UInt32(length)) + uint32(UInt32(blockSize))
        var body = [UInt8](repeating: 0, count: length * blockSize)
        var bitmap = [UInt8](repeating: 0, count: (length + 7) / 8)
        for (number, data) in blocks {
            body.replaceSubrange(number * blockSize..<(number + 1) * blockSize, with: data)
            bitmap[number / 8] |= 1 << UInt8(number % 8)
        }
        bytes += body + bitmap
        return bytes
    }

    /// A sparse `LBDELTA.<name>` file: its parts, each "LBDELTA2", L, B, n, flags, the n numbers, the n blocks;
    /// `perPart` blocks to a part (the last part may hold fewer, and is the only one when nothing is stored).
    public static func lbdeltaParts(length: Int, blocks: [(Int, [UInt8])], perPart: Int = 128) -> [[UInt8]] {
        var chunks: [[(Int, [UInt8])]] = stride(from: 0, to: blocks.count, by: perPart).map {
            Array(blocks[$0..<min($0 + perPart, blocks.count)])
        }
        if chunks.isEmpty { chunks = [[]] }
        return chunks.enumerated().map { index, chunk in
            lbdeltaPart(length: length, blocks: chunk, last: index == chunks.count - 1)
        }
    }

    public static func lbdeltaPart(length: Int, blocks: [(Int, [UInt8])], last: Bool) -> [UInt8] {
        var bytes = Array("LBDELTA2".utf8) + uint32(UInt32(length)) + uint32(UInt32(blockSize))
        bytes += uint32(UInt32(blocks.count)) + uint32(last ? 1 : 0)
        for (number, _) in blocks { bytes += uint32(UInt32(number)) }
        for (_, data) in blocks { bytes += data }
        return bytes
    }
}
