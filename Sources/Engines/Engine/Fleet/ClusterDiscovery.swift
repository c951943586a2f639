// ClusterDiscovery: every cluster a repository holds, found from its layout (RepositoryLayout.clusterRoots):
// a cluster is there as soon as it has a backup, a leftover, archived WAL, drill evidence or a prune record.
// This costs one listing per root; the WAL root is the big one (the per-cluster steps list it again), which
// is the price of a repository that keeps no separate list of its clusters that could go stale.
import Catalog
import Foundation

public struct ClusterDiscovery {
    let repository: Repository

    public init(repository: Repository) {
        self.repository = repository
    }

    /// The cluster names, sorted.
    public func clusters() throws -> [String] {
        var keys: [String] = []
        for root in RepositoryLayout.clusterRoots {
            keys += try repository.store.list(prefix: root).map(\.key.rawValue)
        }
        return RepositoryLayout.clusterNames(in: keys)
    }

    /// One catalog per cluster, opened with the same keyring.
    public func catalogs(keyring: Keyring) throws -> [BackupCatalog] {
        try clusters().map { BackupCatalog(repository: repository, keyring: keyring, cluster: $0) }
    }
}
