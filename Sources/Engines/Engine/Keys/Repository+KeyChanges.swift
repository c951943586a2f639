// Key changes: add and remove slots, rotate the data key, rotate the master key. Each is a read-modify-write of
// keys/, so each runs under the "keys" lock on a keyring read *after* the lock was taken. A keyring read before
// the lock is a snapshot that a concurrent change may already have replaced; writing it back drops that change's
// data key, and every object sealed under a dropped key is unreadable forever (without the lock, 20 concurrent
// rotations all reported success while only 17 keys were added).
import Catalog
import Cipher
import Diagnostics
import Foundation
import Storage

extension Repository {
    /// Adds a slot for `newCredential`, wrapping the master key read under the lock (a master-key rotation
    /// that committed in the meantime would otherwise leave the new slot stale).
    public func addSlot(unlockingWith credential: Credential, for newCredential: Credential, label: String?, now: Date)
        throws -> KeySlot
    {
        try changingKeys(command: "lifeboat key add", unlockingWith: credential) { keyring in
            let slot = try KeySlotCodec.wrap(
                masterKey: keyring.masterKey, masterKeyId: keyring.masterKeyId,
                credential: newCredential, label: label, created: now)
            try storeSlot(slot)
            return slot
        }
    }

    /// Removes a slot; the credential that unlocks must keep a slot, so nobody locks themselves out. The master
    /// key does not change: `rotateMasterKey` is what revokes a removed credential for good.
    public func removeSlot(id: String, unlockingWith credential: Credential) throws {
        try changingKeys(command: "lifeboat key remove", unlockingWith: credential) { keyring in
            let all = try slots()
            // A slot for another master key opens nothing (damaged, or restored from an old copy): it may always go.
            if let stale = all.first(where: { $0.id == id }), !keyring.isLive(stale) { return try deleteSlot(id) }
            let live = all.filter(keyring.isLive)
            guard let victim = live.first(where: { $0.id == id }) else { throw EngineError.unknownKeySlot(id) }
            let remaining = live.filter { $0.id != id }
            guard !remaining.isEmpty else { throw EngineError.lastKeySlot }
            if try KeySlotCodec.unwrap(slot: victim, credential: credential) != nil,
                try !remaining.contains(where: { try KeySlotCodec.unwrap(slot: $0, credential: credential) != nil })
            {
                throw EngineError.invalidArgument(
                    "slot '\(id)' is the only one your \(credential) opens",
                    hint: "remove it with another credential, or add a new slot for this one first")
            }
            try deleteSlot(id)
        }
    }

    /// Adds a new data key and makes it current. Old data keys stay, so old backups remain readable.
    public func rotateDataKey(unlockingWith credential: Credential, now: Date) throws -> Keyring {
        try changingKeys(command: "lifeboat key rotate", unlockingWith: credential) { keyring in
            let rotated = try keyring.addingDataKey(now: now)
            try commitKeyring(rotated)
            return rotated
        }
    }

    /// Replaces the master key (MasterKeyRotation.swift has the design and the commit point): a journal naming
    /// the old and new slots, the new slots, the keyring under the new master key in one write (the commit),
    /// then the old slots and the journal go. `credentials` must open every live slot: a slot is a wrap under
    /// its own secret, which nobody else has.
    public func rotateMasterKey(unlockingWith credential: Credential, keeping credentials: [Credential], now: Date)
        throws -> MasterKeyRotation
    {
        try changingKeys(command: "lifeboat key rotate --master", unlockingWith: credential) { keyring in
            let pairs = try MasterKeyRotation.pair(
                try slots().filter(keyring.isLive), with: [credential] + credentials, keyring: keyring)
            let next = try keyring.withNewMasterKey(now: now)
            let rewrapped = try pairs.map { slot, owner in
                MasterKeyRotation.Rewrapped(
                    previous: slot,
                    current: try KeySlotCodec.wrap(
                        masterKey: next.masterKey, masterKeyId: next.masterKeyId, credential: owner, label: slot.label,
                        created: slot.created))
            }
            try writeRotationJournal(
                KeyRotationJournal(
                    previousMasterKeyId: Hex.encode(keyring.masterKeyId), masterKeyId: Hex.encode(next.masterKeyId),
                    replaced: rewrapped.map(\.previous.id), written: rewrapped.map(\.current.id)))
            for item in rewrapped { try storeSlot(item.current) }
            try commitKeyring(next)  // the commit point: from here the new slots open the keyring, the old ones do not
            for item in rewrapped { try deleteSlot(item.previous.id) }
            try deleteRotationJournal()
            return MasterKeyRotation(slots: rewrapped, keyring: next)
        }
    }

    /// Takes the "keys" lock, unlocks the keyring as it is now, finishes a killed master-key rotation, then runs
    /// `change`.
    func changingKeys<T>(command: String, unlockingWith credential: Credential, _ change: (Keyring) throws -> T) throws
        -> T
    {
        let lock = try RepositoryLock(store: store, name: "keys", command: command)
        defer { lock.release() }
        let keyring = try unlock(credential)
        try finishInterruptedRotation(of: keyring)
        return try change(keyring)
    }

    func storeSlot(_ slot: KeySlot) throws {
        try Failpoint.hit("key.slot.before")
        try writeSlot(slot)
        try Failpoint.hit("key.slot.after")
    }

    func deleteSlot(_ id: String) throws {
        try Failpoint.hit("key.slot.delete.before")
        try store.delete(try ObjectKey(RepositoryLayout.keySlot(id)))
        try Failpoint.hit("key.slot.delete.after")
    }

    func commitKeyring(_ keyring: Keyring) throws {
        try Failpoint.hit("key.keyring.before")
        try saveKeyring(keyring)
        try Failpoint.hit("key.keyring.after")
    }
}
