// MasterKeyRotation: `key rotate --master`, which revokes removed credentials for good (docs/format.md §5.4).
//
// Removing a slot deletes one wrap of the master key; anyone who kept that slot's object and its secret still
// unwraps the same master key, opens the keyring and learns every data key, including future ones. Only a new
// master key ends that. Each remaining slot must then wrap the new master key under a KEK derived from *its*
// secret, which the operator running the rotation does not have unless given it; a per-slot indirection under
// the master key would not help, because the removed holder can read whatever the old master key seals. So
// the rotation needs a credential for every live slot, and refuses (listing them) when one is missing: the
// operator supplies it or removes that slot first, explicitly. Nothing is ever dropped silently.
//
// Crash safety: first a journal (keys/rotation.json, KeyRotationJournal) names the slots being replaced and the
// new ones. The new slots (new ids) wrapping the new master key open nothing while the keyring's header still
// names the old key (unlock only tries live slots). The commit point is the single atomic write of
// keys/keyring.lbx under the new master key; before it every old slot opens the repository, after it every new
// one does. The old slots go, then the journal. A key change that finds a journal deletes exactly the slots it
// names that lost (the new ones before the commit, the old ones after), and nothing else.
import Catalog
import Foundation

public struct MasterKeyRotation: Sendable {
    /// A live slot and the slot that replaces it: same kind, label and creation date, new id, salt and wrap.
    public struct Rewrapped: Sendable {
        public let previous: KeySlot
        public let current: KeySlot
    }

    public let slots: [Rewrapped]
    public let keyring: Keyring

    /// Pairs every live slot with a credential that opens it. A slot no credential opens blocks the rotation (it
    /// would lose access); a credential that opens no slot is a mistake (a removed slot's file, a typo) and is
    /// refused as a wrong key. A slot that opens to another key than the keyring's is damage.
    static func pair(_ live: [KeySlot], with credentials: [Credential], keyring: Keyring) throws -> [(
        KeySlot, Credential
    )] {
        let distinct = credentials.reduce(into: [Credential]()) { list, credential in
            if !list.contains(where: { $0.description == credential.description }) { list.append(credential) }
        }
        var pairs: [(KeySlot, Credential)] = []
        var used = Set<String>()
        var orphans: [KeySlot] = []
        for slot in live {
            guard let owner = try distinct.first(where: { try opens($0, slot, keyring) }) else {
                orphans.append(slot)
                continue
            }
            pairs.append((slot, owner))
            used.insert(owner.description)
        }
        for credential in distinct where !used.contains(credential.description) {
            guard try live.contains(where: { try opens(credential, $0, keyring) }) else {
                throw EngineError.wrongKey(credential: credential.description)
            }
        }
        guard orphans.isEmpty else { throw orphaned(orphans) }
        return pairs
    }

    private static func opens(_ credential: Credential, _ slot: KeySlot, _ keyring: Keyring) throws -> Bool {
        guard let key = try KeySlotCodec.unwrap(slot: slot, credential: credential) else { return false }
        guard key == keyring.masterKey else {
            throw EngineError.keyringDamaged("key slot '\(slot.id)' wraps another master key than the keyring's")
        }
        return true
    }

    private static func orphaned(_ slots: [KeySlot]) -> EngineError {
        let names = slots.map { "'\($0.id)' (\($0.kind.rawValue)\($0.label.map { ", \"\($0)\"" } ?? ""))" }
        return .invalidArgument(
            "no credential given opens key slot(s) \(names.joined(separator: ", ")); they would lose access",
            hint: "pass each slot's key file with --key-file and passphrase variable with --passphrase-env, "
                + "or remove the slots that should lose access with 'lifeboat key remove SLOT' first")
    }
}
