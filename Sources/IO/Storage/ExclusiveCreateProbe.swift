// ExclusiveCreateProbe: proves that a store honours exclusive create (docs/format.md §1) by creating one probe
// key twice: the second must be refused. Locks, WAL records and the system record depend on it; an S3-compatible
// server that ignores If-None-Match would let two writers both "create" the same lock.
import Foundation

public enum ExclusiveCreateProbe {
    /// Throws `StoreError.exclusiveCreateIgnored` when the second create succeeds; removes the probe either way.
    public static func run(_ store: BlobStore) throws {
        var generator = SystemRandomNumberGenerator()
        let key = try ObjectKey("locks", "probe-\(String(generator.next() as UInt64, radix: 16)).probe")
        let body = Array("lifeboat exclusive-create probe\n".utf8)
        guard try store.createExclusive(key, data: body) else {
            throw StoreError.io(operation: "exclusive create of a new probe key", path: key.rawValue, errno: EEXIST)
        }
        defer { try? store.delete(key) }
        if try store.createExclusive(key, data: body) {
            throw StoreError.exclusiveCreateIgnored(location: store.location)
        }
    }
}
