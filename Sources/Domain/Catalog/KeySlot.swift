// Key slots and the keyring (docs/format.md §Keys).
// The repository has one random master key. Each key slot wraps it under a key-encryption key (KEK) derived
// from a key file (HKDF-SHA256) or a passphrase (scrypt). The keyring object, sealed under the master key,
// lists the data keys; `key rotate` appends a new current data key, old ones stay for reading old objects.
// `key add`/`key remove` only add or delete slots, so access changes never touch data; `key rotate --master`
// replaces the master key and rewraps the remaining slots, which is what revokes a removed slot's secret.
import Foundation

public enum KeySlotKind: String, Codable, Sendable {
    case keyFile = "key-file"
    case passphrase
}

public struct KeyDerivation: Codable, Sendable, Equatable {
    public var algorithm: String  // "hkdf-sha256" | "scrypt"
    public var salt: String  // base64, 32 bytes
    public var n: UInt64?  // scrypt only
    public var r: UInt64?
    public var p: UInt64?
    public init(algorithm: String, salt: String, n: UInt64? = nil, r: UInt64? = nil, p: UInt64? = nil) {
        self.algorithm = algorithm
        self.salt = salt
        self.n = n
        self.r = r
        self.p = p
    }

    /// The scrypt parameters, when this is a scrypt derivation that names all three.
    public var scryptCost: ScryptCost? {
        guard algorithm == "scrypt", let n, let r, let p else { return nil }
        return ScryptCost(n: n, r: r, p: p)
    }
}

public struct KeySlot: Codable, Sendable, Equatable {
    public var version: Int
    public var id: String  // 8 lower-case hex digits
    public var kind: KeySlotKind
    public var label: String?
    public var created: Date
    public var kdf: KeyDerivation
    public var masterKeyId: String  // hex, 16 bytes
    public var nonce: String  // base64, 12 bytes
    public var wrappedMasterKey: String  // base64, 32 bytes ciphertext + 16 bytes tag

    public init(
        id: String, kind: KeySlotKind, label: String?, created: Date, kdf: KeyDerivation,
        masterKeyId: String, nonce: String, wrappedMasterKey: String
    ) {
        self.version = 1
        self.id = id
        self.kind = kind
        self.label = label
        self.created = created
        self.kdf = kdf
        self.masterKeyId = masterKeyId
        self.nonce = nonce
        self.wrappedMasterKey = wrappedMasterKey
    }

    /// The AAD that binds a wrapped master key to its slot and master key id.
    public var additionalData: [UInt8] { Array("lifeboat key slot v1:\(id):\(masterKeyId)".utf8) }
}

public struct DataKeyEntry: Codable, Sendable, Equatable {
    public var id: String  // hex, 16 bytes
    public var key: String  // base64, 32 bytes
    public var created: Date
    public init(id: String, key: String, created: Date) {
        self.id = id
        self.key = key
        self.created = created
    }
}

public struct KeyringDocument: Codable, Sendable, Equatable {
    public var version: Int
    public var current: String
    public var keys: [DataKeyEntry]
    public init(current: String, keys: [DataKeyEntry]) {
        self.version = 1
        self.current = current
        self.keys = keys
    }
}
