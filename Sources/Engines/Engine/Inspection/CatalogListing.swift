// CatalogListing: `lifeboat list` as one engine step: the complete backups of the cluster with their pins and
// storage classes (one listing of the backups, a pin record read only where one exists), and the WAL archive's
// recoverable windows, gaps and unrestorable snapshots.
import Catalog
import Foundation

public struct CatalogListing {
    let context: EngineContext
    let catalog: BackupCatalog

    /// `list --json` (docs/json.md).
    public struct Listing: Codable, Sendable {
        public var cluster: String
        public var repository: String
        public var backups: [BackupSummary]
        /// The window reaching the newest recoverable point; absent without a WAL archive or a restorable snapshot.
        public var recoveryWindow: RecoverableWindow?
        /// Every window, oldest end first (a gap in the WAL ends one; a restorable snapshot after it starts the next).
        public var recoveryWindows: [RecoverableWindow]?
        public var walGaps: [WALSegmentRange]?
        public var unrestorableSnapshots: [UnrestorableSnapshot]?
    }

    public struct Result {
        public var listing: Listing
        /// The WAL archive as read; empty for logical-only clusters.
        public var wal: WALInventory
    }

    public init(context: EngineContext, catalog: BackupCatalog) {
        self.context = context
        self.catalog = catalog
    }

    public func run() throws -> Result {
        let classes = try catalog.storageClasses()
        let chains = try ChainInventory.read(catalog)
        let manifests = chains.manifests
        let backups = try manifests.map { manifest in
            let objects = classes[manifest.id] ?? [:]
            let pin =
                objects[RepositoryLayout.pinRecordName] == nil
                ? EffectivePin(manifest: manifest, record: nil) : try catalog.effectivePin(manifest)
            return BackupSummary(manifest, storageClasses: objects, pin: pin, chain: chains.state(of: manifest.id))
        }
        // An incremental whose chain is broken restores nothing: it starts no recoverable window.
        let wal = try WALInventoryReader(context: context, repository: catalog.repository, keyring: catalog.keyring)
            .inventory(manifests: chains.restorable)
        var listing = Listing(
            cluster: context.config.cluster, repository: catalog.repository.location,
            backups: backups)
        if !wal.isEmpty {  // logical-only clusters have no WAL archive and get no WAL keys
            listing.recoveryWindow = wal.report.newestWindow
            listing.recoveryWindows = wal.report.windows
            listing.walGaps = wal.report.gaps
            listing.unrestorableSnapshots = wal.report.unrestorableSnapshots
        }
        return Result(listing: listing, wal: wal)
    }
}
