// ChunkFramer: cuts a byte stream into chunks of one fixed size, for sealing (plaintext chunks) and opening
// (sealed chunks) alike. A full chunk is held back until more input arrives, because only the end of the
// stream says which chunk is the last (it takes a different nonce); input that spans a whole chunk is passed on
// straight from the caller's memory without copying.

final class ChunkFramer {
    let chunkSize: Int
    /// Bytes held back, at most one chunk; wiped on release since it may hold plaintext.
    private let held: ChunkBuffer
    private(set) var buffered = 0

    init(chunkSize: Int) {
        self.chunkSize = chunkSize
        held = ChunkBuffer(byteCount: chunkSize)
    }

    /// Passes to `chunk` every full chunk that is known not to be the last; keeps the rest.
    func absorb(_ input: Slice<UnsafeRawBufferPointer>, _ chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
        var rest = input
        while !rest.isEmpty {
            if buffered == chunkSize {
                // More input follows, so the full buffer is not the last chunk.
                try chunk(held.prefix(buffered))
                buffered = 0
            }
            if buffered == 0, rest.count > chunkSize {
                try chunk(UnsafeRawBufferPointer(rebasing: rest.prefix(chunkSize)))
                rest = rest.dropFirst(chunkSize)
                continue
            }
            let take = min(chunkSize - buffered, rest.count)
            held.copy(rest.prefix(take), to: buffered)
            buffered += take
            rest = rest.dropFirst(take)
        }
    }

    /// Passes what is held back (the last chunk, possibly empty) to `chunk`, then starts over.
    func finish(_ chunk: (UnsafeRawBufferPointer) throws -> Void) throws {
        try chunk(held.prefix(buffered))
        buffered = 0
    }
}
