// Keyring: the unlocked keys of a repository: the master key (seals the keyring object) and the data keys
// (seal everything else). New objects use the current data key; any listed data key can open old objects.
import Catalog
import Cipher
import Foundation
import Pipeline

public final class Keyring: @unchecked Sendable {
    // Immutable after init (DataKeyLookup guards its own cache); shared across pipeline threads.
    let masterKey: [UInt8]
    let masterKeyId: [UInt8]
    let document: KeyringDocument
    let dataKeys: [String: [UInt8]]
    private let finder: DataKeyLookup

    /// `reload` unlocks the keyring as it is now, for keys added after this one was read (DataKeyLookup).
    init(
        masterKey: [UInt8], masterKeyId: [UInt8], document: KeyringDocument,
        reload: (@Sendable () -> [String: [UInt8]]?)? = nil
    ) throws {
        self.masterKey = masterKey
        self.masterKeyId = masterKeyId
        self.document = document
        var keys: [String: [UInt8]] = [:]
        for entry in document.keys {
            guard let key = Data(base64Encoded: entry.key), key.count == 32, Hex.decode(entry.id)?.count == 16 else {
                throw EngineError.keyringDamaged("data key '\(entry.id)' is malformed")
            }
            keys[entry.id] = Array(key)
        }
        guard keys[document.current] != nil else { throw EngineError.keyringDamaged("current data key is missing") }
        self.dataKeys = keys
        self.finder = DataKeyLookup(keys: keys, reload: reload)
    }

    /// The key new objects are sealed with.
    public var current: SealingKey {
        SealingKey(keyId: Hex.decode(document.current) ?? [], key: dataKeys[document.current] ?? [])
    }

    public var currentKeyId: String { document.current }

    /// How new objects are sealed, as a manifest records it: the stream format and the current data key.
    var encryptionInfo: EncryptionInfo { EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: currentKeyId) }
    public var dataKeyIds: [String] { document.keys.map(\.id) }

    /// Finds the data key named in an object's header, including one a rotation added after this keyring was read.
    public var lookup: @Sendable ([UInt8]) -> [UInt8]? {
        let finder = finder
        return { id in finder.key(for: id) }
    }

    var masterLookup: @Sendable ([UInt8]) -> [UInt8]? {
        let id = masterKeyId
        let key = masterKey
        return { $0 == id ? key : nil }
    }

    /// True when `slot` wraps this keyring's master key. Any other slot is stale (left by a killed master-key
    /// rotation, restored from an old copy, or its master_key_id is damaged): it cannot open this keyring and is
    /// never tried.
    public func isLive(_ slot: KeySlot) -> Bool { slot.masterKeyId == Hex.encode(masterKeyId) }

    /// The same keys plus a fresh data key, which becomes current (`key rotate`).
    func addingDataKey(now: Date) throws -> Keyring {
        var document = document
        let fresh = try Self.newDataKey(now: now)
        document.keys.append(fresh)
        document.current = fresh.id
        return try Keyring(masterKey: masterKey, masterKeyId: masterKeyId, document: document)
    }

    /// A fresh master key over the same data keys plus a fresh current one (`key rotate --master`). The old data
    /// keys stay so old objects stay readable; the new current key is one nobody who knew the old master key saw.
    func withNewMasterKey(now: Date) throws -> Keyring {
        let next = try addingDataKey(now: now)
        return try Keyring(
            masterKey: try SecureRandom.bytes(32), masterKeyId: try SecureRandom.bytes(16), document: next.document)
    }

    static func newDataKey(now: Date) throws -> DataKeyEntry {
        DataKeyEntry(
            id: Hex.encode(try SecureRandom.bytes(16)), key: Data(try SecureRandom.bytes(32)).base64EncodedString(),
            created: now)
    }
}
