// PiecedEntryReader: reads the pieces "base.000000", "base.000001", … written by `PiecedEntryWriter` back as
// one continuous byte stream.
//
// It checks the format rule: names consecutive from 000000; every piece but the last exactly `pieceSize`
// bytes; the last strictly shorter. A missing, out-of-order, oversized or extra piece is
// `ArchiveError.corrupt`, naming the expected and the found entry. `pieceSize` must be the writer's.
//
// How it stops without consuming the next entry: after the last (short) piece it calls
// `TarReader.peekEntry()`, which reads the next header but leaves it pending, so the caller's next
// `nextEntry()` returns that entry and can read its data. The peek rejects a stray piece of the same stream.
// One thread at a time, like the TarReader it reads from.

public final class PiecedEntryReader {
    private let reader: TarReader
    private let baseName: String
    private let pieceSize: Int64
    private var nextIndex = 0
    private var inPiece = false
    private var lastPieceSeen = false
    private var ended = false

    /// Pieces and stream bytes read so far; compare them with the manifest once `read` has returned 0.
    public private(set) var pieces = 0
    public private(set) var bytes: Int64 = 0

    /// `reader` must be positioned before the first piece: its next entry must be `"\(baseName).000000"`.
    public init(reader: TarReader, baseName: String, pieceSize: Int = 8 << 20) {
        self.reader = reader
        self.baseName = baseName
        self.pieceSize = Int64(pieceSize)
    }

    /// Reads the next bytes of the stream; 0 at its end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while !ended {
            if !inPiece {
                try openNextPiece()
                continue
            }
            let count = try reader.read(into: buffer)
            if count > 0 {
                bytes += Int64(count)
                return count
            }
            inPiece = false
        }
        return 0
    }

    private func openNextPiece() throws {
        let expected = PieceName.make(baseName, nextIndex)
        if lastPieceSeen {
            try rejectStrayPiece(after: PieceName.make(baseName, nextIndex - 1))
            ended = true
            return
        }
        guard let entry = try reader.nextEntry() else {
            throw ArchiveError.corrupt("expected entry '\(expected)', found the end of the archive")
        }
        guard entry.name == expected else {
            throw ArchiveError.corrupt("expected entry '\(expected)', found \(ArchiveError.quoted(entry.name))")
        }
        guard entry.size <= pieceSize else {
            throw ArchiveError.corrupt(
                "piece '\(expected)' has '\(entry.size)' bytes, more than the piece size '\(pieceSize)'")
        }
        lastPieceSeen = entry.size < pieceSize
        nextIndex += 1
        pieces += 1
        inPiece = true
    }

    /// After the last piece the stream is over; another piece of it means pieces were duplicated or mixed.
    private func rejectStrayPiece(after last: String) throws {
        guard let next = try reader.peekEntry(), PieceName.isPiece(next.name, of: baseName) else { return }
        throw ArchiveError.corrupt(
            "expected no entry of '\(baseName)' after its last piece '\(last)', found \(ArchiveError.quoted(next.name))"
        )
    }
}
