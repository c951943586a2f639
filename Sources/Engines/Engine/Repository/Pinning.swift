// Pinning: `lifeboat pin ID [--until DATE]` / `lifeboat unpin ID`. Writes the backup's pin record (which prune
// honours from then on) under the cluster lock, so a pin never races a prune. With Object Lock in the policy,
// the pin also reaches the store: `--until` extends every object's retain-until date to DATE, an indefinite
// pin sets a legal hold, and unpin clears the hold (retain-until dates cannot be shortened).
import Catalog
import Foundation
import Policy
import Storage

public struct PinChange: Codable, Sendable {
    public var backup: String
    public var pinned: Bool
    public var keepUntil: Date?
    /// Objects whose Object Lock was extended or whose legal hold changed.
    public var lockedObjects: Int
}

public struct Pinning {
    let context: EngineContext
    let catalog: BackupCatalog
    let policy: RetentionPolicy?

    public init(context: EngineContext, catalog: BackupCatalog, policy: RetentionPolicy?) {
        self.context = context
        self.catalog = catalog
        self.policy = policy
    }

    /// Pins `reference` indefinitely (`until` nil) or until a date; `pinned: false` unpins.
    public func set(_ reference: String, pinned: Bool, until: Date?) throws -> PinChange {
        let lock = try ClusterLock(
            repository: catalog.repository, cluster: catalog.cluster,
            command: pinned ? "lifeboat pin" : "lifeboat unpin")
        defer { lock.release() }
        let manifest = try catalog.resolve(reference)
        let indefinite = pinned && until == nil
        let user = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let record = PinRecord(
            backup: manifest.id, cluster: catalog.cluster, pinned: indefinite, keepUntil: pinned ? until : nil,
            changedAt: context.now(), changedBy: "\(user)@\(ProcessInfo.processInfo.hostName)")
        try catalog.writePinRecord(record)
        let locked = try applyObjectLock(
            manifest, indefinite: indefinite, until: pinned ? until : nil, release: !pinned)
        return PinChange(
            backup: manifest.id.rawValue, pinned: indefinite, keepUntil: record.keepUntil, lockedObjects: locked)
    }

    func applyObjectLock(_ manifest: BackupManifest, indefinite: Bool, until: Date?, release: Bool) throws -> Int {
        guard let immutability = policy?.immutability,
            let archival = catalog.repository.store.archival(for: .objectLock)
        else { return 0 }
        let keys =
            try manifest.objects.map {
                try ObjectKey(RepositoryLayout.object(cluster: catalog.cluster, id: manifest.id, name: $0.name))
            }
            + [try ObjectKey(RepositoryLayout.manifest(cluster: catalog.cluster, id: manifest.id))]
        for key in keys {
            if indefinite || release {
                try archival.setLegalHold(indefinite, for: key)
            } else if let until {
                try archival.extendObjectLock(of: key, mode: immutability.mode.rawValue, until: until)
            }
        }
        return keys.count
    }
}
