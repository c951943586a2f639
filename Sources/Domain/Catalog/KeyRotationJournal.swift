// KeyRotationJournal: `keys/rotation.json`, written by `key rotate --master` before it writes anything else and
// deleted when it is done (docs/format.md §5.4). It names the slots the rotation replaces and the ones it writes,
// so whatever a killed rotation left is cleaned up exactly: before its commit its new slots go, after it its old
// ones. A slot no journal names is never deleted automatically: one whose master_key_id was damaged looks stale
// too, and stays for an operator to see. Plain JSON: ids only, nothing secret.
import Foundation

public struct KeyRotationJournal: Codable, Sendable, Equatable {
    public var version: Int
    /// Hex ids of the master key being replaced and of its replacement.
    public var previousMasterKeyId: String
    public var masterKeyId: String
    /// Slot ids for the previous master key that the rotation replaces, and the slots it writes for the new one.
    public var replaced: [String]
    public var written: [String]

    public init(previousMasterKeyId: String, masterKeyId: String, replaced: [String], written: [String]) {
        self.version = 1
        self.previousMasterKeyId = previousMasterKeyId
        self.masterKeyId = masterKeyId
        self.replaced = replaced
        self.written = written
    }

    /// The slots that lost, given the master key the keyring is sealed under now; nil when it is neither of the
    /// journal's (the journal does not belong to this keyring).
    public func slotsToDelete(keyringMasterKeyId: String) -> [String]? {
        switch keyringMasterKeyId {
        case masterKeyId: return replaced  // committed: the old slots open nothing
        case previousMasterKeyId: return written  // not committed: the new slots wrap a key nothing uses
        default: return nil
        }
    }
}
