// Repository keys: create (init), read the slots, unlock. Every change to slots or keyring after init runs
// under the "keys" lock (Repository+KeyChanges.swift).
import Catalog
import Cipher
import Configuration
import Foundation
import Logging
import Pipeline
import Policy
import Storage

extension Repository {
    /// Creates a repository: keyring, first key slot, then the descriptor, last and exclusively, so a crashed
    /// or concurrent init never leaves something that looks like a repository.
    public static func create(
        _ settings: RepositorySettings, environment: [String: String], credential: Credential,
        now: Date, immutability: Immutability? = nil,
        logger: Logger? = nil
    ) throws -> (Repository, KeySlot) {
        let made = try StoreFactory.make(settings, create: true, environment: environment, logger: logger)
        let repository = try withImmutability(made, immutability)
        return (repository, try initialize(repository, credential: credential, now: now))
    }

    /// Writes a new repository into `repository`'s store (any store: engine tests use a MemoryStore).
    static func initialize(_ repository: Repository, credential: Credential, now: Date) throws -> KeySlot {
        let store = repository.store
        let descriptorKey = try ObjectKey(RepositoryLayout.descriptor)
        if try store.exists(descriptorKey) { throw EngineError.repositoryExists(store.location) }
        for leftover in try store.list(prefix: "keys/") { try store.delete(leftover.key) }  // an earlier init died

        let masterKey = try SecureRandom.bytes(32)
        let masterKeyId = try SecureRandom.bytes(16)
        let dataKey = try Keyring.newDataKey(now: now)
        let keyring = try Keyring(
            masterKey: masterKey, masterKeyId: masterKeyId,
            document: KeyringDocument(current: dataKey.id, keys: [dataKey]))
        try repository.saveKeyring(keyring)
        let slot = try KeySlotCodec.wrap(
            masterKey: masterKey, masterKeyId: masterKeyId, credential: credential,
            label: "initial", created: now)
        try repository.writeSlot(slot)
        let descriptor = RepositoryDescriptor(id: UUID().uuidString.lowercased(), created: now)
        let encoded = Array(try CatalogCoding.encoder(pretty: true).encode(descriptor))
        guard try store.createExclusive(descriptorKey, data: encoded) else {
            throw EngineError.repositoryExists(store.location)
        }
        return slot
    }

    /// Every slot object, live or stale (`Keyring.isLive` tells them apart). A slot deleted between the listing
    /// and its read (a concurrent `key remove` or master-key rotation) is skipped, not reported missing.
    public func slots() throws -> [KeySlot] {
        try store.list(prefix: RepositoryLayout.keySlotPrefix).compactMap { info in
            let bytes: [UInt8]
            do {
                bytes = try store.get(info.key)
            } catch StoreError.notFound {
                return nil
            }
            let slot: KeySlot
            do {
                slot = try CatalogCoding.decoder().decode(KeySlot.self, from: Data(bytes))
            } catch is DecodingError {
                throw EngineError.keyringDamaged("key slot '\(info.key)' is unreadable")
            }
            // Slots are plain JSON: nothing authenticates these two fields, so the reader checks them. A slot under
            // another slot's name (copied, renamed, two swapped) would still open, but 'key remove ID' deletes
            // keys/slot-ID.json and would revoke the wrong credential; an unknown version is not a slot we can read.
            guard info.key.rawValue == RepositoryLayout.keySlot(slot.id) else {
                throw EngineError.keyringDamaged("key slot '\(info.key)' holds slot '\(slot.id)'")
            }
            guard slot.version == 1 else {
                throw EngineError.keyringDamaged(
                    "key slot '\(info.key)' has version \(slot.version); this lifeboat reads version 1")
            }
            return slot
        }
    }

    /// Tries the live slots of the credential's kind; the first that authenticates yields the master key.
    public func unlock(_ credential: Credential) throws -> Keyring {
        try unlock(credential, among: try slots())
    }

    /// `unlock` with the slots already read (`slots()`), so a caller that reports them reads them once.
    /// Live slots are those for the master key the keyring's header names: a slot for another master key (the
    /// leftover of an interrupted master-key rotation, or one restored from an old copy) cannot open it.
    /// Every candidate's scrypt cost is checked before any is tried, so a planted costly slot fails by name.
    public func unlock(_ credential: Credential, among slots: [KeySlot]) throws -> Keyring {
        let key = try ObjectKey(RepositoryLayout.keyringObject)
        var sealed = try store.get(key)
        var listed = slots
        // A master-key rotation committing between the listing of the slots and the read of the keyring leaves
        // them for different master keys. When nothing opens, look again while either has changed since.
        for _ in 0..<3 {
            let masterKeyId = try Self.sealingKeyId(of: sealed, key: key)
            if let keyring = try unlock(credential, among: listed, sealed: sealed, masterKeyId: masterKeyId) {
                return keyring
            }
            let (again, relisted) = (try store.get(key), try self.slots())
            guard again != sealed || relisted.map(\.id) != listed.map(\.id) else { break }
            (sealed, listed) = (again, relisted)
        }
        // A slot that should open with this credential but is damaged looks exactly like a wrong key (the tag
        // fails either way): name every slot tried, so the damaged one is among them.
        // Slots for another master key were not tried; a damaged master_key_id makes a slot look like one of them.
        let masterKeyId = Hex.encode(try Self.sealingKeyId(of: sealed, key: key))
        // New slots are written before the keyring switches master keys (MasterKeyRotation), so a keyring whose
        // master key no slot of any kind wraps has a damaged header (or its slots were replaced): name it.
        guard listed.contains(where: { $0.masterKeyId == masterKeyId }) else {
            throw EngineError.keyringDamaged("'\(key)' names master key '\(masterKeyId)', which no key slot wraps")
        }
        let ofKind = listed.filter { $0.kind == credential.slotKind }
        let names = { (slots: [KeySlot]) in slots.map { "'\(RepositoryLayout.keySlot($0.id))'" }.joined(separator: ", ")
        }
        let tried = ofKind.filter { $0.masterKeyId == masterKeyId }
        let stale = ofKind.filter { $0.masterKeyId != masterKeyId }
        let detail =
            (tried.isEmpty ? [] : ["tried " + names(tried)])
            + (stale.isEmpty ? [] : ["not tried, for another master key: " + names(stale)])
        throw EngineError.wrongKey(
            credential: credential.description + (detail.isEmpty ? "" : " (" + detail.joined(separator: "; ") + ")"))
    }

    /// The keyring in `sealed`, opened through a live slot of the credential's kind; nil when none opens.
    private func unlock(_ credential: Credential, among slots: [KeySlot], sealed: [UInt8], masterKeyId: [UInt8]) throws
        -> Keyring?
    {
        let candidates = slots.filter { $0.kind == credential.slotKind && $0.masterKeyId == Hex.encode(masterKeyId) }
        for slot in candidates { try KeySlotCodec.checkCost(slot) }
        // A data key added later (key rotate) is found by unlocking again with the same credential.
        let reload: @Sendable () -> [String: [UInt8]]? = { [self] in try? self.unlock(credential).dataKeys }
        for slot in candidates {
            guard let masterKey = try KeySlotCodec.unwrap(slot: slot, credential: credential) else { continue }
            return try Self.openKeyring(
                sealed, key: try ObjectKey(RepositoryLayout.keyringObject), masterKey: masterKey,
                masterKeyId: masterKeyId, reload: reload)
        }
        return nil
    }

    /// The key id in a sealed object's header: for the keyring, the id of the master key it is sealed under.
    static func sealingKeyId(of sealed: [UInt8], key: ObjectKey) throws -> [UInt8] {
        do {
            return try SealedObjectHeader(parsing: Array(sealed.prefix(SealedObjectHeader.size))).keyID
        } catch let error as CipherError {
            throw PipelineError.corruptObject(key: key.rawValue, detail: error.message)
        }
    }

    static func openKeyring(
        _ sealed: [UInt8], key: ObjectKey, masterKey: [UInt8], masterKeyId: [UInt8],
        reload: (@Sendable () -> [String: [UInt8]]?)?
    ) throws -> Keyring {
        let bytes: [UInt8]
        do {
            bytes = try OpeningDecoder.open(sealed) { $0 == masterKeyId ? masterKey : nil }
        } catch let error as CipherError {
            throw PipelineError.corruptObject(key: key.rawValue, detail: error.message)
        }
        let document: KeyringDocument
        do {
            document = try CatalogCoding.decoder().decode(KeyringDocument.self, from: Data(bytes))
        } catch {
            throw EngineError.keyringDamaged("the keyring object does not decode")
        }
        return try Keyring(masterKey: masterKey, masterKeyId: masterKeyId, document: document, reload: reload)
    }

    /// Writes a slot under its own new name; a colliding id (one in 2^32) is refused, never overwritten.
    func writeSlot(_ slot: KeySlot) throws {
        let encoded = Array(try CatalogCoding.encoder(pretty: true).encode(slot))
        guard try store.createExclusive(try ObjectKey(RepositoryLayout.keySlot(slot.id)), data: encoded) else {
            throw EngineError.keyringDamaged("key slot id '\(slot.id)' collided; run the command again")
        }
    }

    /// Replaces keys/keyring.lbx in one atomic write (the store's contract): readers see the old or the new one.
    func saveKeyring(_ keyring: Keyring) throws {
        let bytes = Array(try CatalogCoding.encoder().encode(keyring.document))
        try putSealed(
            try ObjectKey(RepositoryLayout.keyringObject), bytes: bytes,
            with: SealingKey(keyId: keyring.masterKeyId, key: keyring.masterKey))
    }
}
