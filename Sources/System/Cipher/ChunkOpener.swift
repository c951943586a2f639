// ChunkOpener: the body half of OpeningDecoder, created once the header is known. It owns the object key,
// the sealed-chunk framing, the reusable plaintext buffer and the chunk counter.

final class ChunkOpener {
    private let aad: [UInt8]
    private let cipher: AES256GCM
    private let sealed: ChunkFramer
    private let plaintext: ChunkBuffer
    private var chunkIndex: UInt64 = 0
    private var nonce = ChunkNonce()

    init(header: SealedObjectHeader, headerBytes: [UInt8], dataKey: [UInt8]) throws {
        var objectKey = try header.objectKey(dataKey: dataKey)
        defer { objectKey.withUnsafeMutableBytes { OpenSSL.cleanse($0) } }
        aad = headerBytes
        cipher = try AES256GCM(key: objectKey)
        sealed = ChunkFramer(chunkSize: header.chunkSize + AES256GCM.tagSize)
        plaintext = ChunkBuffer(byteCount: header.chunkSize)
    }

    func absorb(_ input: Slice<UnsafeRawBufferPointer>, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try sealed.absorb(input) { try openChunk($0, final: false, emit) }
    }

    /// The remainder is the final chunk; fewer than 16 bytes (a tag) means the object was cut short.
    func finish(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard sealed.buffered >= AES256GCM.tagSize else { throw CipherError.truncated }
        try sealed.finish { try openChunk($0, final: true, emit) }
    }

    private func openChunk(
        _ chunk: UnsafeRawBufferPointer, final: Bool,
        _ emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
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
