// The master-key rotation's journal (Catalog/KeyRotationJournal.swift): written before the rotation writes a
// slot, deleted after it deleted the old ones; a key change that finds one finishes the dead rotation's cleanup.
import Catalog
import Cipher
import Diagnostics
import Foundation
import Storage

extension Repository {
    /// Deletes exactly the slots a killed master-key rotation left behind, then its journal. Runs under the
    /// "keys" lock, with the keyring as it is now.
    func finishInterruptedRotation(of keyring: Keyring) throws {
        guard let journal = try rotationJournal() else { return }
        let current = Hex.encode(keyring.masterKeyId)
        guard let losers = journal.slotsToDelete(keyringMasterKeyId: current) else {
            throw EngineError.keyringDamaged(
                "'\(RepositoryLayout.keyRotationJournal)' is for master keys '\(journal.previousMasterKeyId)' "
                    + "and '\(journal.masterKeyId)', the keyring is sealed under '\(current)'")
        }
        for id in losers { try deleteSlot(id) }
        try deleteRotationJournal()
    }

    func rotationJournal() throws -> KeyRotationJournal? {
        let key = try ObjectKey(RepositoryLayout.keyRotationJournal)
        let bytes: [UInt8]
        do {
            bytes = try store.get(key)
        } catch StoreError.notFound {
            return nil
        }
        guard let journal = try? CatalogCoding.decoder().decode(KeyRotationJournal.self, from: Data(bytes)),
            journal.version == 1
        else {
            throw EngineError.keyringDamaged("'\(key)' is unreadable")
        }
        return journal
    }

    func writeRotationJournal(_ journal: KeyRotationJournal) throws {
        try Failpoint.hit("key.journal.before")
        try store.put(
            try ObjectKey(RepositoryLayout.keyRotationJournal),
            data: Array(try CatalogCoding.encoder(pretty: true).encode(journal)))
        try Failpoint.hit("key.journal.after")
    }

    func deleteRotationJournal() throws {
        try Failpoint.hit("key.journal.delete.before")
        try store.delete(try ObjectKey(RepositoryLayout.keyRotationJournal))
        try Failpoint.hit("key.journal.delete.after")
    }
}
