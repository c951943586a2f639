// BackupSummary: one backup as `lifeboat list` shows it (and one element of `backups` in `list --json`,
// docs/json.md): the manifest's facts, the pin that counts, and where each object is stored.
import Catalog
import Foundation

public struct BackupSummary: Codable, Sendable {
    public var id: String
    public var kind: String
    public var label: String?
    public var startedAt: Date
    public var finishedAt: Date
    public var databases: [String]
    public var dumpBytes: Int64
    public var storedBytes: Int64
    public var pinned: Bool
    public var keepUntil: Date?
    public var serverVersion: String
    public var keyId: String
    /// Object name → storage class ("local" on a file repository); the manifest object included.
    public var storageClasses: [String: String]
    /// "full" or "incremental" (docs/format.md §6.5); a logical backup is full.
    public var type: String
    /// An incremental's parent; absent for a full.
    public var parent: String?
    /// Backups a restore of this one reads (1 for a full).
    public var chainLength: Int
    /// Why an incremental's chain does not hold (it cannot be restored); absent when it does.
    public var chainBroken: String?
    /// A snapshot read from a streaming standby: true; absent otherwise.
    public var fromStandby: Bool?

    public init(
        _ manifest: BackupManifest, storageClasses: [String: String], pin: EffectivePin,
        chain: ChainState = ChainState(parent: nil, chain: [], broken: nil)
    ) {
        id = manifest.id.rawValue
        kind = manifest.kind.rawValue
        label = manifest.label
        startedAt = manifest.startedAt
        finishedAt = manifest.finishedAt
        databases = manifest.databases.map(\.name)
        dumpBytes = manifest.contentBytes
        storedBytes = manifest.storedBytes
        pinned = pin.pinned
        keepUntil = pin.keepUntil
        serverVersion = manifest.server.version
        keyId = manifest.encryption.keyId
        self.storageClasses = storageClasses
        type = chain.type
        parent = chain.parent
        chainLength = chain.length
        chainBroken = chain.broken
        fromStandby = manifest.snapshot?.fromStandby
    }

    /// The distinct classes of the data objects, for a table column.
    public var dataTier: String {
        let classes = Set(
            storageClasses.filter {
                $0.key != RepositoryLayout.manifestName && $0.key != RepositoryLayout.pinRecordName
            }.values)
        return classes.isEmpty ? "-" : classes.sorted().joined(separator: ",")
    }
}
