// FleetListing: `lifeboat list --all-clusters` as one engine step — CatalogListing run for every cluster the
// repository holds (ClusterDiscovery), each with its own backups and WAL windows.
import Catalog
import Foundation

public struct FleetListing {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring

    /// `list --all-clusters --json` (docs/json.md): the single-cluster listing once per cluster.
    public struct Listing: Encodable, Sendable {
        public var repository: String
        public var clusters: [CatalogListing.Listing]
    }

    public struct Result {
        public var listing: Listing
        /// Each cluster's listing with the WAL archive as read, in the order of `listing.clusters`.
        public var clusters: [CatalogListing.Result]
    }

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
    }

    public func run() throws -> Result {
        let results = try ClusterDiscovery(repository: repository).catalogs(keyring: keyring).map { catalog in
            try CatalogListing(context: context.forCluster(catalog.cluster), catalog: catalog).run()
        }
        return Result(
            listing: Listing(repository: repository.location, clusters: results.map(\.listing)),
            clusters: results)
    }
}
