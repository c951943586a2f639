// Encryption as a stage: seals the stream in authenticated chunks (docs/format.md §Sealed objects).
import Cipher

public struct SealingKey: Sendable {
    public let keyId: [UInt8]
    public let key: [UInt8]
    public init(keyId: [UInt8], key: [UInt8]) {
        self.keyId = keyId
        self.key = key
    }
}

public final class SealingSink: ByteSink {
    private let next: ByteSink
    private let encoder: SealingEncoder

    public init(key: SealingKey, next: ByteSink) throws {
        self.next = next
        self.encoder = try SealingEncoder(dataKey: key.key, keyID: key.keyId)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try encoder.update(bytes) { try next.write($0) }
    }

    public func finish() throws {
        try encoder.finish { try next.write($0) }
        try next.finish()
    }
}
