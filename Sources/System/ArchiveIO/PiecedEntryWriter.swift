// PiecedEntryWriter: stores a byte stream of unknown length (pg_dump's stdout) in a tar archive.
// A tar entry needs its size before its data, so the stream is cut into entries of `pieceSize` bytes named
// "base.000000", "base.000001", … .
//
// Format rule (what `PiecedEntryReader` checks): every piece but the last is exactly `pieceSize` bytes and the
// last one is strictly shorter — when the stream length is a multiple of `pieceSize` (including an empty
// stream) the last piece is empty. A missing tail is therefore always detectable.
//
// Memory: one `pieceSize` buffer, allocated once. Writes of at least a whole piece while the buffer is empty
// go straight to the archive without a copy. Bytes whose owner keeps them valid (`write(_:retaining:)`: a
// message a connection handed over) are held by reference until their piece is written instead of copied, at
// most one piece of them: a snapshot's stream then reaches zstd without a copy of its own.
// One thread at a time, like the TarWriter it writes to.
import Foundation

public final class PiecedEntryWriter {
    private let writer: TarWriter
    private let baseName: String
    private let pieceSize: Int
    private let buffer: UnsafeMutableRawBufferPointer
    private let modificationTime = Date()
    private var filled = 0
    /// Bytes held by reference, in stream order, fewer than `pieceSize` between calls; only while `filled` is 0.
    private var held: [(owner: AnyObject, bytes: UnsafeRawBufferPointer)] = []
    private var heldBytes = 0
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
        // Behind held bytes these must be held too, as a copy, to keep the stream's order.
        if !held.isEmpty {
            let copy = HeldCopy(bytes)
            return try hold(copy.bytes, owner: copy)
        }
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

    /// Appends `bytes`, which `owner` keeps valid (and unchanged) for as long as it is alive: they are held, not
    /// copied, until their piece is written. While the copy buffer has bytes they are copied behind them instead.
    public func write(_ bytes: UnsafeRawBufferPointer, retaining owner: AnyObject) throws {
        guard !finished else { throw ArchiveError.misuse("write called after finish on '\(baseName)'") }
        if filled > 0 { return try write(bytes) }
        try hold(bytes, owner: owner)
    }

    /// Writes the final, short (possibly empty) piece. Returns how many pieces and stream bytes were stored.
    public func finish() throws -> (pieces: Int, bytes: Int64) {
        guard !finished else { throw ArchiveError.misuse("finish called twice on '\(baseName)'") }
        if held.isEmpty { try flush() } else { try writeHeld(heldBytes) }
        finished = true
        return (pieces, bytes)
    }

    private func hold(_ bytes: UnsafeRawBufferPointer, owner: AnyObject) throws {
        guard !bytes.isEmpty else { return }
        held.append((owner, bytes))
        heldBytes += bytes.count
        while heldBytes >= pieceSize { try writeHeld(pieceSize) }
    }

    /// Writes the first `count` held bytes as one piece; a part of the last one used stays held.
    private func writeHeld(_ count: Int) throws {
        try writer.beginEntry(
            name: PieceName.make(baseName, pieces), size: Int64(count), modificationTime: modificationTime)
        var remaining = count
        var used = 0
        while remaining > 0 {
            let (owner, chunk) = held[used]
            let take = min(remaining, chunk.count)
            try writer.write(UnsafeRawBufferPointer(rebasing: chunk.prefix(take)))
            remaining -= take
            if take == chunk.count {
                used += 1
            } else {
                held[used] = (owner, UnsafeRawBufferPointer(rebasing: chunk.dropFirst(take)))
            }
        }
        try writer.finishEntry()
        held.removeFirst(used)
        heldBytes -= count
        pieces += 1
        bytes += Int64(count)
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

/// A copy of bytes written behind held ones, kept alive by the piece writer like any other owner.
private final class HeldCopy {
    private let storage: UnsafeMutableRawBufferPointer
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        if !bytes.isEmpty { storage.copyMemory(from: bytes) }
        self.bytes = UnsafeRawBufferPointer(rebasing: storage[0..<bytes.count])
    }

    deinit { storage.deallocate() }
}
