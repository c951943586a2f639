// SealedObjectHeader: the 60-byte header of Lifeboat's sealed-object format (docs/format.md). It names the
// key and salt, fixes the chunk size, and is authenticated as the AAD of every chunk.
//
//   0..<8   "LIFEBOAT"            10      log2(chunk size), 12...24
//   8       version 0x01          11      reserved, 0x00
//   9       algorithm 0x01        12..<28 key id      28..<60 salt
public struct SealedObjectHeader: Equatable, Sendable {
    public static let size = 60
    public static let magic: [UInt8] = Array("LIFEBOAT".utf8)
    public static let version: UInt8 = 0x01
    /// AES-256-GCM, STREAM chunking, HKDF-SHA256 per-object subkey.
    public static let algorithm: UInt8 = 0x01
    public static let chunkSizeLog2Range = 12...24
    public static let defaultChunkSizeLog2 = 20
    public static let keyIDSize = 16
    public static let saltSize = 32
    static let keyInfo: [UInt8] = Array("lifeboat object v1".utf8)

    public let chunkSizeLog2: Int
    public let keyID: [UInt8]
    public let salt: [UInt8]

    /// Plaintext bytes per full chunk.
    public var chunkSize: Int { 1 << chunkSizeLog2 }

    public init(chunkSizeLog2: Int, keyID: [UInt8], salt: [UInt8]) throws {
        guard Self.chunkSizeLog2Range.contains(chunkSizeLog2) else {
            throw CipherError.invalidArgument(
                "chunk size log2 '\(chunkSizeLog2)' is outside \(Self.chunkSizeLog2Range)")
        }
        guard keyID.count == Self.keyIDSize else {
            throw CipherError.invalidArgument("key id must be \(Self.keyIDSize) bytes, got \(keyID.count)")
        }
        guard salt.count == Self.saltSize else {
            throw CipherError.invalidArgument("salt must be \(Self.saltSize) bytes, got \(salt.count)")
        }
        self.chunkSizeLog2 = chunkSizeLog2
        self.keyID = keyID
        self.salt = salt
    }

    /// Parses exactly `size` bytes; every field is checked, so a damaged header fails here or, failing
    /// that, in chunk authentication (the header is the AAD).
    public init(parsing bytes: [UInt8]) throws {
        guard bytes.count == Self.size else { throw CipherError.truncated }
        guard Array(bytes[0..<8]) == Self.magic else { throw CipherError.notSealedObject }
        guard bytes[8] == Self.version else { throw CipherError.unsupportedFormat("version '\(bytes[8])'") }
        guard bytes[9] == Self.algorithm else { throw CipherError.unsupportedFormat("algorithm '\(bytes[9])'") }
        let log2 = Int(bytes[10])
        guard Self.chunkSizeLog2Range.contains(log2) else {
            throw CipherError.unsupportedFormat("chunk size log2 '\(log2)'")
        }
        guard bytes[11] == 0 else { throw CipherError.unsupportedFormat("reserved byte '\(bytes[11])'") }
        try self.init(chunkSizeLog2: log2, keyID: Array(bytes[12..<28]), salt: Array(bytes[28..<60]))
    }

    /// True while `prefix` (a partial header) could still be a sealed object, so garbage fails fast.
    static func couldStartWith(_ prefix: [UInt8]) -> Bool {
        zip(prefix, magic).allSatisfy { $0 == $1 }
    }

    public var encoded: [UInt8] {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.size)
        bytes += [Self.version, Self.algorithm, UInt8(chunkSizeLog2), 0]
        bytes += keyID
        bytes += salt
        return bytes
    }

    /// HKDF-SHA256(ikm: data key, salt: header salt, info: "lifeboat object v1", L: 32).
    func objectKey(dataKey: [UInt8]) throws -> [UInt8] {
        guard dataKey.count == AES256GCM.keySize else {
            throw CipherError.invalidArgument("data key must be \(AES256GCM.keySize) bytes, got \(dataKey.count)")
        }
        return try HKDF.sha256(ikm: dataKey, salt: salt, info: Self.keyInfo, length: AES256GCM.keySize)
    }
}
