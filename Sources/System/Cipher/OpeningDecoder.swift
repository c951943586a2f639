// OpeningDecoder: streams a sealed object back to plaintext, emitting only chunks whose tag verified.
// Memory is one sealed chunk plus one plaintext chunk, allocated once the header names the chunk size;
// sealed input that spans a whole chunk is opened straight from the caller's memory.
//
// Without a length field, the reader infers finality: more than chunkSize+16 buffered bytes means the
// first chunkSize+16 are a non-final chunk; at end of input the remainder (16...chunkSize+16 bytes) is the
// final chunk. The nonce's final flag makes a wrong guess (truncation, appended data) fail authentication.

/// Used by one thread at a time; it may move between threads (a pipeline stage), hence `@unchecked Sendable`.
public final class OpeningDecoder: @unchecked Sendable {
    private let keyLookup: (_ keyID: [UInt8]) -> [UInt8]?
    public private(set) var keyID: [UInt8]?
    private var headerBytes: [UInt8] = []
    private var opener: ChunkOpener?
    private var failure: Error?
    private var done = false

    public init(keyLookup: @escaping (_ keyID: [UInt8]) -> [UInt8]?) {
        self.keyLookup = keyLookup
        headerBytes.reserveCapacity(SealedObjectHeader.size)
    }

    /// Emits plaintext of every chunk that authenticated. The buffer passed to `emit` is only valid
    /// during the call. After any error the decoder keeps throwing it.
    public func update(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try ensureUsable()
        guard !done else { throw CipherError.trailingData }
        try recordingFailure {
            var rest = input[...]
            if opener == nil {
                let take = min(SealedObjectHeader.size - headerBytes.count, rest.count)
                headerBytes.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                guard SealedObjectHeader.couldStartWith(headerBytes) else { throw CipherError.notSealedObject }
                guard headerBytes.count == SealedObjectHeader.size else { return }
                opener = try openHeader()
            }
            try opener?.absorb(rest, emit)
        }
    }

    /// Opens the final chunk; throws `truncated` if the input ended before one.
    public func finish(emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try ensureUsable()
        guard !done else { throw CipherError.invalidArgument("opening stream finished twice") }
        try recordingFailure {
            guard let opener else { throw CipherError.truncated }
            try opener.finish(emit)
            done = true
        }
    }

    public static func open(_ sealed: [UInt8], keyLookup: @escaping ([UInt8]) -> [UInt8]?) throws -> [UInt8] {
        let decoder = OpeningDecoder(keyLookup: keyLookup)
        var output: [UInt8] = []
        output.reserveCapacity(max(0, sealed.count - SealedObjectHeader.size))
        let append: (UnsafeRawBufferPointer) -> Void = { output.append(contentsOf: $0) }
        try sealed.withUnsafeBytes { try decoder.update($0, emit: append) }
        try decoder.finish(emit: append)
        return output
    }

    private func openHeader() throws -> ChunkOpener {
        let header = try SealedObjectHeader(parsing: headerBytes)
        keyID = header.keyID
        guard let dataKey = keyLookup(header.keyID) else {
            throw CipherError.unknownKey(keyIDHex: Hex.encode(header.keyID))
        }
        return try ChunkOpener(header: header, headerBytes: headerBytes, dataKey: dataKey)
    }

    private func recordingFailure(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            failure = error
            throw error
        }
    }

    private func ensureUsable() throws {
        if let failure { throw failure }
    }
}
