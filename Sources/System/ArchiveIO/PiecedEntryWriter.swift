// PiecedEntryWriter: stores a byte stream of unknown length (pg_dump's stdout) in a tar archive.
// A tar entry needs its size before its data, so the stream is cut into entries of `pieceSize` bytes named
// "base.000000", "base.000001", … .
//
// Format rule (what `PiecedEntryReader` checks): every piece but the last is exactly `pieceSize` bytes and the
// last one is strictly shorter — when the stream length is a multiple of `pieceSize` (including an empty
// stream) the last piece is empty. A missing tail is therefore always detectable.
//
// Memory: one `pieceSize` buffer, allocated once. Writes of at least a whole piece while the buffer is empty
// go straight to the archive without a copy. One thread at a time, like the TarWriter it writes to.
import Foundation

public final class PiecedEntryWriter {
    private let writer: TarWriter
    private let baseName: String
    private let pieceSize: Int
    private let buffer: UnsafeMutableRawBufferPointer
    private let modificationTime = Date()
    private var filled = 0
    private var pieces = 0
    private var bytes: Int64 = 0
    private var finished = false

    public init(writer: TarWriter, baseName: String, pieceSize: Int = 8 << 20) {
        precondition(pieceSize > 0, "pieceSize must be positive")
        self.writer = writer
        self.baseName = baseName
        self.pieceSize = pieceSize
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: pieceSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !finished else { throw ArchiveError.misuse("write called after finish on '\(baseName)'") }
        var rest = bytes
        while !rest.isEmpty {
            if filled == 0, rest.count >= pieceSize {
                try writePiece(UnsafeRawBufferPointer(rebasing: rest.prefix(pieceSize)))
                rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(pieceSize))
                continue
            }
            let take = min(pieceSize - filled, rest.count)
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<filled + take]).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            filled += take
            rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
            if filled == pieceSize { try flush() }
        }
    }

    /// Writes the final, short (possibly empty) piece. Returns how many pieces and stream bytes were stored.
    public func finish() throws -> (pieces: Int, bytes: Int64) {
        guard !finished else { throw ArchiveError.misuse("finish called twice on '\(baseName)'") }
        try flush()
        finished = true
        return (pieces, bytes)
    }

    private func flush() throws {
        try writePiece(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
        filled = 0
    }

    private func writePiece(_ data: UnsafeRawBufferPointer) throws {
        let name = PieceName.make(baseName, pieces)
        try writer.beginEntry(name: name, size: Int64(data.count), modificationTime: modificationTime)
        try writer.write(data)
        try writer.finishEntry()
        pieces += 1
        bytes += Int64(data.count)
    }
}
