// KeySlotCodec: wraps and unwraps the repository master key under a credential (docs/format.md §Keys).
//   key file:   KEK = HKDF-SHA256(ikm: the 32 key-file bytes, salt: slot salt, info: "lifeboat key slot v1")
//   passphrase: KEK = scrypt(passphrase UTF-8, slot salt, ScryptCost.written: N = 2^17, r = 8, p = 1, 32 bytes)
//   wrapped   = AES-256-GCM(KEK, random 12-byte nonce, aad: "lifeboat key slot v1:<slot id>:<master key id>", master key)
import Catalog
import Cipher
import Foundation

enum KeySlotCodec {
    /// A new slot (fresh id, salt and nonce) wrapping `masterKey` for `credential`. `created` is when the access
    /// was granted: a slot rewrapped by a master-key rotation keeps its original date.
    static func wrap(masterKey: [UInt8], masterKeyId: [UInt8], credential: Credential, label: String?, created: Date)
        throws -> KeySlot
    {
        let slotId = Hex.encode(try SecureRandom.bytes(4))
        let salt = Data(try SecureRandom.bytes(32)).base64EncodedString()
        let kdf: KeyDerivation
        switch credential {
        case .keyFile: kdf = KeyDerivation(algorithm: "hkdf-sha256", salt: salt)
        case .passphrase:
            let cost = ScryptCost.written
            kdf = KeyDerivation(algorithm: "scrypt", salt: salt, n: cost.n, r: cost.r, p: cost.p)
        }
        let nonce = try SecureRandom.bytes(12)
        var slot = KeySlot(
            id: slotId, kind: credential.slotKind, label: label, created: created, kdf: kdf,
            masterKeyId: Hex.encode(masterKeyId), nonce: Data(nonce).base64EncodedString(), wrappedMasterKey: "")
        let kek = try deriveKEK(slot: slot, credential: credential)
        let sealed = try AES256GCM(key: kek).seal(nonce: nonce, aad: slot.additionalData, plaintext: masterKey)
        slot.wrappedMasterKey = Data(sealed).base64EncodedString()
        return slot
    }

    /// Returns the master key, or nil when this credential does not open the slot.
    static func unwrap(slot: KeySlot, credential: Credential) throws -> [UInt8]? {
        guard slot.kind == credential.slotKind else { return nil }
        guard let nonce = Data(base64Encoded: slot.nonce), let sealed = Data(base64Encoded: slot.wrappedMasterKey)
        else {
            throw EngineError.keyringDamaged("key slot '\(RepositoryLayout.keySlot(slot.id))' is malformed")
        }
        let kek = try deriveKEK(slot: slot, credential: credential)
        do {
            return try AES256GCM(key: kek).open(nonce: Array(nonce), aad: slot.additionalData, sealed: Array(sealed))
        } catch let error as CipherError {
            if case .authenticationFailed = error { return nil }
            throw error
        }
    }

    /// Refuses a passphrase slot whose scrypt parameters exceed what Lifeboat writes (ScryptCost.cap), so that a
    /// planted slot is reported by name instead of allocating gigabytes. Key-file slots cost nothing to try.
    static func checkCost(_ slot: KeySlot) throws {
        guard slot.kind == .passphrase || slot.kdf.algorithm == "scrypt" else { return }
        guard let cost = slot.kdf.scryptCost else {
            throw EngineError.keySlotRejected(slot: slot.id, detail: "its scrypt parameters are missing")
        }
        guard cost.isWithinCap else {
            throw EngineError.keySlotRejected(
                slot: slot.id,
                detail: "its scrypt parameters (\(cost), \(cost.memoryBytes >> 20) MiB per try) "
                    + "exceed what Lifeboat writes (\(ScryptCost.cap))")
        }
    }

    static func deriveKEK(slot: KeySlot, credential: Credential) throws -> [UInt8] {
        guard let salt = Data(base64Encoded: slot.kdf.salt) else {
            throw EngineError.keyringDamaged("key slot '\(RepositoryLayout.keySlot(slot.id))' has a bad salt")
        }
        switch (credential, slot.kdf.algorithm) {
        case (.keyFile(_, let key), "hkdf-sha256"):
            return try HKDF.sha256(ikm: key, salt: Array(salt), info: Array("lifeboat key slot v1".utf8), length: 32)
        case (.passphrase(_, let bytes), "scrypt"):
            try checkCost(slot)
            guard let cost = slot.kdf.scryptCost else {
                throw EngineError.keyringDamaged("key slot '\(RepositoryLayout.keySlot(slot.id))' is malformed")
            }
            return try Scrypt.derive(password: bytes, salt: Array(salt), n: cost.n, r: cost.r, p: cost.p, length: 32)
        default:
            throw EngineError.keyringDamaged(
                "key slot '\(RepositoryLayout.keySlot(slot.id))' uses unknown key derivation '\(slot.kdf.algorithm)'")
        }
    }
}
