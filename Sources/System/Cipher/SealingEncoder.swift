// SealingEncoder: streams plaintext into Lifeboat's sealed-object format (see SealedObjectHeader). Memory is
// one chunk of plaintext plus one sealed chunk, allocated once; input that spans a whole chunk is sealed
// straight from the caller's memory without copying.
//
// A non-final chunk is emitted only once MORE than chunkSize bytes are held, so the last chunk always
// carries 1...chunkSize bytes (0 only for empty plaintext) and a reader can find it without a length field.

/// Used by one thread at a time; it may move between threads (a pipeline stage), hence `@unchecked Sendable`.
public final class SealingEncoder: @unchecked Sendable {
    public static let headerSize = SealedObjectHeader.size

    private let header: [UInt8]
    private let cipher: AES256GCM
    private let plaintext: ChunkFramer
    private let sealed: ChunkBuffer
    private var chunkIndex: UInt64 = 0
    private var nonce = ChunkNonce()
    private var headerEmitted = false
    private var done = false

    public init(
        dataKey: [UInt8], keyID: [UInt8], chunkSizeLog2: Int = SealedObjectHeader.defaultChunkSizeLog2,
        salt: [UInt8]? = nil  // tests only; random otherwise
    ) throws {
        let parsed = try SealedObjectHeader(
            chunkSizeLog2: chunkSizeLog2, keyID: keyID,
            salt: salt ?? SecureRandom.bytes(SealedObjectHeader.saltSize))
        var objectKey = try parsed.objectKey(dataKey: dataKey)
        defer { objectKey.withUnsafeMutableBytes { OpenSSL.cleanse($0) } }
        header = parsed.encoded
        cipher = try AES256GCM(key: objectKey)
        plaintext = ChunkFramer(chunkSize: parsed.chunkSize)
        sealed = ChunkBuffer(byteCount: parsed.chunkSize + AES256GCM.tagSize)
    }

    /// Emits the header on first use, then every chunk that is known not to be the last. The buffer
    /// passed to `emit` is only valid during the call.
    public func update(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try ensureOpen()
        do {
            try emitHeaderIfNeeded(emit)
            try plaintext.absorb(input[...]) { try sealChunk($0, final: false, emit) }
        } catch {
            done = true  // a half-emitted stream must not be continued
            throw error
        }
    }

    /// Seals what is buffered as the final chunk. The encoder cannot be used afterwards.
    public func finish(emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try ensureOpen()
        done = true
        try emitHeaderIfNeeded(emit)
        try plaintext.finish { try sealChunk($0, final: true, emit) }
    }

    public static func seal(
        _ plaintext: [UInt8], dataKey: [UInt8], keyID: [UInt8],
        chunkSizeLog2: Int = SealedObjectHeader.defaultChunkSizeLog2
    ) throws -> [UInt8] {
        let encoder = try SealingEncoder(dataKey: dataKey, keyID: keyID, chunkSizeLog2: chunkSizeLog2)
        let chunkSize = encoder.plaintext.chunkSize
        let chunks = max(1, (plaintext.count + chunkSize - 1) / chunkSize)
        var output: [UInt8] = []
        output.reserveCapacity(headerSize + plaintext.count + chunks * AES256GCM.tagSize)
        let append: (UnsafeRawBufferPointer) -> Void = { output.append(contentsOf: $0) }
        try plaintext.withUnsafeBytes { try encoder.update($0, emit: append) }
        try encoder.finish(emit: append)
        return output
    }

    private func sealChunk(
        _ chunk: UnsafeRawBufferPointer, final: Bool,
        _ emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        nonce.set(index: chunkIndex, final: final)
        let count = try header.withUnsafeBytes { aad in
            try cipher.seal(nonce: nonce.bytes, aad: aad, input: chunk, output: sealed.memory)
        }
        chunkIndex += 1
        try emit(sealed.prefix(count))
    }

    private func emitHeaderIfNeeded(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !headerEmitted else { return }
        headerEmitted = true
        try header.withUnsafeBytes { try emit($0) }
    }

    private func ensureOpen() throws {
        guard !done else { throw CipherError.invalidArgument("sealing stream used after finish or failure") }
    }
}
