// SealedObjectReader: the read path for one stored object. It counts and hashes the stored bytes, opens the
// sealed chunks (only authenticated plaintext comes out) and, at the end, checks size and SHA-256 against the
// manifest's ledger, so a swapped, truncated or altered object is an integrity error naming the object.
import Cipher
import Storage

public struct ExpectedObject: Sendable {
    public let size: Int64
    public let sha256: String
    public init(size: Int64, sha256: String) {
        self.size = size
        self.sha256 = sha256
    }
}

public final class SealedObjectReader {
    public let key: ObjectKey
    private let reader: BlobReader
    private let expected: ExpectedObject?
    private let decoder: OpeningDecoder
    private let hasher: SHA256Hasher
    private var raw: [UInt8]
    private var plain: [UInt8] = []
    private var plainOffset = 0
    private var ended = false
    public private(set) var storedBytes: Int64 = 0

    public init(
        store: BlobStore, key: ObjectKey, expected: ExpectedObject?,
        keyLookup: @escaping ([UInt8]) -> [UInt8]?
    ) throws {
        self.key = key
        self.expected = expected
        self.reader = try store.open(key)
        self.decoder = OpeningDecoder(keyLookup: keyLookup)
        self.hasher = try SHA256Hasher()
        self.raw = [UInt8](repeating: 0, count: 1 << 20)
        self.plain.reserveCapacity(2 << 20)
    }

    deinit { reader.close() }

    /// Fills `buffer` with authenticated plaintext; 0 at the end, after every check passed.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while plainOffset == plain.count {
            if ended { return 0 }
            plain.removeAll(keepingCapacity: true)
            plainOffset = 0
            try refill()
        }
        let count = min(buffer.count, plain.count - plainOffset)
        plain.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[plainOffset..<(plainOffset + count)]))
        }
        plainOffset += count
        return count
    }

    /// Reads and checks the whole object without keeping its plaintext (verify before restore).
    public func drain() throws {
        var scratch = [UInt8](repeating: 0, count: 1 << 20)
        while try scratch.withUnsafeMutableBytes({ try read(into: $0) }) > 0 {}
    }

    private func refill() throws {
        let count = try raw.withUnsafeMutableBytes { try reader.read(into: $0) }
        do {
            if count == 0 {
                try decoder.finish { plain.append(contentsOf: $0) }
                ended = true
                try checkLedger()
                return
            }
            storedBytes += Int64(count)
            try raw.withUnsafeBytes { bytes in
                let slice = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                hasher.update(slice)
                try decoder.update(slice) { plain.append(contentsOf: $0) }
            }
        } catch let error as PipelineError {
            throw error
        } catch let error as CipherError {
            throw PipelineError.corruptObject(key: key.rawValue, detail: error.message)
        }
    }

    private func checkLedger() throws {
        guard let expected else { return }
        if storedBytes != expected.size {
            throw PipelineError.sizeMismatch(key: key.rawValue, expected: expected.size, actual: storedBytes)
        }
        let actual = Hex.encode(hasher.finalize())
        if actual != expected.sha256 {
            throw PipelineError.checksumMismatch(key: key.rawValue, expected: expected.sha256, actual: actual)
        }
    }
}
