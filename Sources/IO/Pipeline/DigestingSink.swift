// Counts and SHA-256-hashes the bytes that pass through: the manifest's ledger entry for a stored object.
import Cipher

public final class DigestingSink: ByteSink {
    private let next: ByteSink
    private let hasher: SHA256Hasher
    public private(set) var byteCount: Int64 = 0
    public private(set) var digestHex: String?

    public init(next: ByteSink) throws {
        self.next = next
        self.hasher = try SHA256Hasher()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bytes)
        byteCount += Int64(bytes.count)
        try next.write(bytes)
    }

    public func finish() throws {
        digestHex = Hex.encode(hasher.finalize())
        try next.finish()
    }
}
