// ChunkOpener: the body half of OpeningDecoder, created once the header is known. It owns the object key,
// the two reusable buffers and the chunk counter.

final class ChunkOpener {
    private let aad: [UInt8]
    private let cipher: AES256GCM
    private let sealedChunkSize: Int
    private let sealed: ChunkBuffer
    private let plaintext: ChunkBuffer
    private var buffered = 0
    private var chunkIndex: UInt64 = 0
    private var nonce = ChunkNonce()

    init(header: SealedObjectHeader, headerBytes: [UInt8], dataKey: [UInt8]) throws {
        var objectKey = try header.objectKey(dataKey: dataKey)
        defer { objectKey.withUnsafeMutableBytes { OpenSSL.cleanse($0) } }
        aad = headerBytes
        cipher = try AES256GCM(key: objectKey)
        sealedChunkSize = header.chunkSize + AES256GCM.tagSize
        sealed = ChunkBuffer(byteCount: sealedChunkSize)
        plaintext = ChunkBuffer(byteCount: header.chunkSize)
    }

    func absorb(_ input: Slice<UnsafeRawBufferPointer>, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var rest = input
        while !rest.isEmpty {
            if buffered == sealedChunkSize {
                // More input follows, so the full buffer is not the last chunk.
                try openChunk(sealed.prefix(buffered), final: false, emit)
                buffered = 0
            }
            if buffered == 0, rest.count > sealedChunkSize {
                try openChunk(UnsafeRawBufferPointer(rebasing: rest.prefix(sealedChunkSize)), final: false, emit)
                rest = rest.dropFirst(sealedChunkSize)
                continue
            }
            let take = min(sealedChunkSize - buffered, rest.count)
            sealed.copy(rest.prefix(take), to: buffered)
            buffered += take
            rest = rest.dropFirst(take)
        }
    }

    /// The remainder is the final chunk; fewer than 16 bytes (a tag) means the object was cut short.
    func finish(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard buffered >= AES256GCM.tagSize else { throw CipherError.truncated }
        try openChunk(sealed.prefix(buffered), final: true, emit)
        buffered = 0
    }

    private func openChunk(_ chunk: UnsafeRawBufferPointer, final: Bool,
                           _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        nonce.set(index: chunkIndex, final: final)
        let count: Int
        do {
            count = try aad.withUnsafeBytes { aad in
                try cipher.open(nonce: nonce.bytes, aad: aad, input: chunk, output: plaintext.memory)
            }
        } catch CipherError.authenticationFailed {
            throw CipherError.authenticationFailed("chunk '\(chunkIndex)' of the sealed object")
        }
        chunkIndex += 1
        try emit(plaintext.prefix(count))
    }
}
