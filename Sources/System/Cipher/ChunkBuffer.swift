// ChunkBuffer: the one plaintext/ciphertext buffer a sealing or opening stream reuses for every chunk.

/// A fixed-size scratch buffer allocated once per stream and wiped on release, since it holds plaintext.
final class ChunkBuffer {
    let memory: UnsafeMutableRawBufferPointer

    init(byteCount: Int) {
        memory = .allocate(byteCount: byteCount, alignment: 64)
    }

    deinit {
        OpenSSL.cleanse(memory)
        memory.deallocate()
    }

    func prefix(_ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: memory[0..<count])
    }

    /// Copies `source` to offset `at`; the caller guarantees it fits.
    func copy(_ source: Slice<UnsafeRawBufferPointer>, to offset: Int) {
        UnsafeMutableRawBufferPointer(rebasing: memory[offset..<(offset + source.count)])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: source))
    }
}
