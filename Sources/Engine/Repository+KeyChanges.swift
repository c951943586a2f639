// Key changes: add and remove slots, rotate the data key. Each is a read-modify-write of
// keys/, so each runs under the "keys" lock on a keyring read *after* the lock was taken. A keyring read before
// the lock is a snapshot that a concurrent change may already have replaced; writing it back drops that change's
// data key, and every object sealed under a dropped key is unreadable forever (issue #11: 20 concurrent
// rotations all reported success, 17 keys were added).
import Catalog
import Cipher
import Diagnostics
import Foundation
import Storage

extension Repository {
    /// Adds a slot for `newCredential`, wrapping the master key read under the lock.
    public func addSlot(unlockingWith credential: Credential, for newCredential: Credential, label: String?, now: Date) throws -> KeySlot {
        try changingKeys(command: "lifeboat key add", unlockingWith: credential) { keyring in
            let slot = try KeySlotCodec.wrap(masterKey: keyring.masterKey, masterKeyId: keyring.masterKeyId,
                                             credential: newCredential, label: label, now: now)
            try storeSlot(slot)
            return slot
        }
    }

    /// Removes a slot; the credential that unlocks must keep a slot, so nobody locks themselves out.
    public func removeSlot(id: String, unlockingWith credential: Credential) throws {
        try changingKeys(command: "lifeboat key remove", unlockingWith: credential) { _ in
            let all = try slots()
            guard let victim = all.first(where: { $0.id == id }) else { throw EngineError.unknownKeySlot(id) }
            let remaining = all.filter { $0.id != id }
            guard !remaining.isEmpty else { throw EngineError.lastKeySlot }
            if try KeySlotCodec.unwrap(slot: victim, credential: credential) != nil,
               try !remaining.contains(where: { try KeySlotCodec.unwrap(slot: $0, credential: credential) != nil }) {
                throw EngineError.invalidArgument("slot '\(id)' is the only one your \(credential) opens",
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

    /// Takes the "keys" lock, unlocks the keyring as it is now, then runs `change`.
    func changingKeys<T>(command: String, unlockingWith credential: Credential, _ change: (Keyring) throws -> T) throws -> T {
        let lock = try RepositoryLock(store: store, name: "keys", command: command)
        defer { lock.release() }
        return try change(try unlock(credential))
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
