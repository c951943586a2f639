// StaleLockBreaker: removes a lock object whose holder died, so that of all the runs that saw the same dead
// holder at most one removes it, and none removes a lock taken afterwards (docs/format.md §7).
// Check-then-delete alone lets two breakers both delete: the second deletes the first one's fresh lock. Here a
// breaker first creates the marker `<lock>.break-<identity of the dead holder>` exclusively: only the marker's
// creator may delete the lock, and only after reading the lock again and finding the same dead holder in it.
// A dead holder cannot change its lock any more, so between that read and the delete the lock stays the same.
// Markers are deleted by their creator when done; a marker whose creator died is broken the same way, one
// level up, so a crash while breaking never wedges the lock.
import Diagnostics
import Foundation

struct StaleLockBreaker {
    let store: BlobStore
    let me: LockHolder
    static let maximumDepth = 4

    /// Removes `key` if it still holds `dead`. Returns false when another live run is breaking it (try again
    /// shortly); true when the dead holder's lock is gone (removed here or by someone else).
    func breakLock(_ key: ObjectKey, heldBy dead: LockHolder, depth: Int = 0) throws -> Bool {
        guard depth < Self.maximumDepth else { return false }
        let marker = try ObjectKey(key.rawValue + ".break-" + Self.safe(dead.identity))
        let encoded = Array(try LockHolder.encoder.encode(me))
        guard try store.createExclusive(marker, data: encoded) else {
            guard let breaker = try RepositoryLock.readHolder(store: store, key: marker, name: marker.rawValue) else {
                return try breakLock(key, heldBy: dead, depth: depth)  // its creator just finished
            }
            guard breaker.isDeadOnThisHost else { return false }
            _ = try breakLock(marker, heldBy: breaker, depth: depth + 1)
            return false
        }
        defer { try? store.delete(marker) }
        try Failpoint.hit("lock.break.before")
        guard let current = try RepositoryLock.readHolder(store: store, key: key, name: key.rawValue), current == dead
        else {
            return true  // already broken, and perhaps taken again: not ours to touch
        }
        try store.delete(key)
        try Failpoint.hit("lock.break.after")
        return true
    }

    /// Marker keys use the identity as a key segment: keep it to the characters keys allow.
    static func safe(_ identity: String) -> String {
        String(identity.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }
}
