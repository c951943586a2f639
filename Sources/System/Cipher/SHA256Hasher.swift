// SHA256Hasher: streaming SHA-256 (EVP) for manifest digests of every stored object.
import CLibCrypto

/// Used by one thread at a time; it may move between threads (a pipeline stage), hence `@unchecked Sendable`.
public final class SHA256Hasher: @unchecked Sendable {
    public static let digestSize = 32
    private let context: OpaquePointer

    public init() throws {
        context = try OpenSSL.nonNull(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        do {
            try OpenSSL.check(EVP_DigestInit_ex(context, EVP_sha256(), nil), "EVP_DigestInit_ex")
        } catch {
            EVP_MD_CTX_free(context)
            throw error
        }
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // SHA-256 in the default provider has no failure mode once initialised (no allocation, no I/O);
        // a failure here means a broken libcrypto, which no caller could handle meaningfully.
        let rc = EVP_DigestUpdate(context, base, bytes.count)
        precondition(rc == 1, "EVP_DigestUpdate failed: \(OpenSSL.drainErrorQueue())")
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Returns the digest and resets the hasher, so it can be reused for the next object.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.digestSize)
        var length: UInt32 = 0
        let finalRC = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        precondition(finalRC == 1 && length == 32, "EVP_DigestFinal_ex failed: \(OpenSSL.drainErrorQueue())")
        let initRC = EVP_DigestInit_ex(context, EVP_sha256(), nil)
        precondition(initRC == 1, "EVP_DigestInit_ex failed: \(OpenSSL.drainErrorQueue())")
        return digest
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestSize)
        let result = bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { SHA256(input.baseAddress, input.count, $0.baseAddress) }
        }
        precondition(result != nil, "SHA256 failed: \(OpenSSL.drainErrorQueue())")
        return digest
    }
}
