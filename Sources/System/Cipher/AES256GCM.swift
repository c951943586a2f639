// AES256GCM: authenticated encryption over one reusable EVP context. The key schedule is set once; each
// message only resets the nonce, which keeps per-chunk overhead to a few calls and no allocation.
import CLibCrypto

/// Used by one thread at a time (the EVP context is stateful); it may move between threads, for example as
/// part of a pipeline stage, hence `@unchecked Sendable`.
public final class AES256GCM: @unchecked Sendable {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16
    /// EVP_CipherUpdate takes an `int` length; feed larger inputs in slices of this size.
    private static let maxUpdate = 1 << 30

    private let context: OpaquePointer

    public init(key: [UInt8]) throws {
        guard key.count == Self.keySize else {
            throw CipherError.invalidArgument("aes-256-gcm key must be \(Self.keySize) bytes, got \(key.count)")
        }
        context = try OpenSSL.nonNull(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        do {
            try OpenSSL.check(EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil), "EVP_EncryptInit_ex")
            try OpenSSL.check(
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceSize), nil),
                "EVP_CIPHER_CTX_ctrl")
            let rc = key.withUnsafeBufferPointer { EVP_EncryptInit_ex(context, nil, nil, $0.baseAddress, nil) }
            try OpenSSL.check(rc, "EVP_EncryptInit_ex")
        } catch {
            EVP_CIPHER_CTX_free(context)  // also wipes the key schedule
            throw error
        }
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Encrypts input, writes ciphertext followed by the 16-byte tag into output; returns bytes written (input.count + 16).
    public func seal(
        nonce: [UInt8], aad: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer,
        output: UnsafeMutableRawBufferPointer
    ) throws -> Int {
        guard output.count >= input.count + Self.tagSize, let outputBase = output.baseAddress else {
            throw CipherError.invalidArgument(
                "output of \(output.count) bytes cannot hold \(input.count) bytes plus tag")
        }
        try start(nonce: nonce, encrypting: true)
        try authenticate(aad)
        var written = try transform(input, into: output)
        written += try finalize(into: output, at: written)
        let rc = EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagSize), outputBase + written)
        try OpenSSL.check(rc, "EVP_CIPHER_CTX_ctrl")
        return written + Self.tagSize
    }

    /// input = ciphertext || tag. Writes plaintext into output, returns its length; throws authenticationFailed on a bad tag.
    /// On failure the bytes already written to output are wiped, so unauthenticated plaintext never escapes.
    public func open(
        nonce: [UInt8], aad: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer,
        output: UnsafeMutableRawBufferPointer
    ) throws -> Int {
        guard input.count >= Self.tagSize, let inputBase = input.baseAddress else {
            throw CipherError.authenticationFailed("an aes-256-gcm message shorter than its tag")
        }
        let ciphertextCount = input.count - Self.tagSize
        guard output.count >= ciphertextCount else {
            throw CipherError.invalidArgument("output of \(output.count) bytes cannot hold \(ciphertextCount) bytes")
        }
        try start(nonce: nonce, encrypting: false)
        try authenticate(aad)
        let written = try transform(UnsafeRawBufferPointer(start: inputBase, count: ciphertextCount), into: output)
        try setExpectedTag(UnsafeRawBufferPointer(start: inputBase + ciphertextCount, count: Self.tagSize))
        var finalLength: Int32 = 0
        let finalRC = EVP_DecryptFinal_ex(context, bytes(output, written), &finalLength)
        guard finalRC > 0 else {
            // A bad tag leaves an entry on OpenSSL's queue that would be misreported by a later call.
            ERR_clear_error()
            OpenSSL.cleanse(UnsafeMutableRawBufferPointer(rebasing: output[0..<written]))
            throw CipherError.authenticationFailed("an aes-256-gcm message")
        }
        return written + Int(finalLength)
    }

    public func seal(nonce: [UInt8], aad: [UInt8], plaintext: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: plaintext.count + Self.tagSize)
        let count = try aad.withUnsafeBytes { aad in
            try plaintext.withUnsafeBytes { input in
                try output.withUnsafeMutableBytes { try seal(nonce: nonce, aad: aad, input: input, output: $0) }
            }
        }
        output.removeSubrange(count...)
        return output
    }

    public func open(nonce: [UInt8], aad: [UInt8], sealed: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(sealed.count - Self.tagSize, 0))
        let count = try aad.withUnsafeBytes { aad in
            try sealed.withUnsafeBytes { input in
                try output.withUnsafeMutableBytes { try open(nonce: nonce, aad: aad, input: input, output: $0) }
            }
        }
        output.removeSubrange(count...)
        return output
    }

    /// Re-initialises for one message: NULL cipher and key keep the key schedule, only the nonce changes.
    private func start(nonce: [UInt8], encrypting: Bool) throws {
        guard nonce.count == Self.nonceSize else {
            throw CipherError.invalidArgument("aes-256-gcm nonce must be \(Self.nonceSize) bytes, got \(nonce.count)")
        }
        let rc = nonce.withUnsafeBufferPointer {
            EVP_CipherInit_ex(context, nil, nil, nil, $0.baseAddress, encrypting ? 1 : 0)
        }
        try OpenSSL.check(rc, "EVP_CipherInit_ex")
    }

    private func authenticate(_ aad: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < aad.count {
            let piece = min(aad.count - offset, Self.maxUpdate)
            var ignored: Int32 = 0
            let rc = EVP_CipherUpdate(context, nil, &ignored, bytes(aad, offset), Int32(piece))
            try OpenSSL.check(rc, "EVP_CipherUpdate")
            offset += piece
        }
    }

    private func transform(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int {
        var offset = 0
        var written = 0
        while offset < input.count {
            let piece = min(input.count - offset, Self.maxUpdate)
            var produced: Int32 = 0
            let rc = EVP_CipherUpdate(context, bytes(output, written), &produced, bytes(input, offset), Int32(piece))
            try OpenSSL.check(rc, "EVP_CipherUpdate")
            offset += piece
            written += Int(produced)
        }
        return written
    }

    /// SET_TAG wants a mutable pointer; copy the tag rather than cast away the caller's const.
    private func setExpectedTag(_ tag: UnsafeRawBufferPointer) throws {
        var copy: (UInt64, UInt64) = (0, 0)
        let rc = withUnsafeMutableBytes(of: &copy) { buffer in
            buffer.copyMemory(from: tag)
            return EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagSize), buffer.baseAddress)
        }
        try OpenSSL.check(rc, "EVP_CIPHER_CTX_ctrl")
    }

    private func finalize(into output: UnsafeMutableRawBufferPointer, at written: Int) throws -> Int {
        var produced: Int32 = 0
        try OpenSSL.check(EVP_EncryptFinal_ex(context, bytes(output, written), &produced), "EVP_EncryptFinal_ex")
        return Int(produced)
    }

    private func bytes(_ buffer: UnsafeRawBufferPointer, _ offset: Int) -> UnsafePointer<UInt8>? {
        buffer.baseAddress.map { ($0 + offset).assumingMemoryBound(to: UInt8.self) }
    }

    private func bytes(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int) -> UnsafeMutablePointer<UInt8>? {
        buffer.baseAddress.map { ($0 + offset).assumingMemoryBound(to: UInt8.self) }
    }
}
