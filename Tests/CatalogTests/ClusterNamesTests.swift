// ClusterNamesTests: a fleet view finds the repository's clusters from its layout alone — every folder under
// backups/, wal/, drills/ and prune/ — and nothing else (the descriptor, keys, locks) is mistaken for one.
import Catalog
import XCTest

final class ClusterNamesTests: XCTestCase {
    func testEveryClusterFolderCountsOnce() {
        let keys = [
            "repository.json", "keys/keyring.lbx", "locks/cluster-main.lock",
            "backups/main/20261121T195312Z-3f9a2c/manifest.lbx",
            "backups/main/20261122T195312Z-3f9a2d/db-0001.tar.zst.lbx",
            "wal/orders/00000001/000000010000000000000001.meta.lbx",
            "wal/main/system-identifier.lbx",
            "drills/analytics/20261121T195312Z-aaaaaa.lbx",
            "prune/legacy/20261121T195312Z-bbbbbb.lbx",
        ]
        XCTAssertEqual(RepositoryLayout.clusterNames(in: keys), ["analytics", "legacy", "main", "orders"])
    }

    func testKeysWithoutAClusterFolderNameNoCluster() {
        let keys = ["backups/", "backups//x", "wal/stray-file", "walrus/a/b"]
        XCTAssertEqual(RepositoryLayout.clusterNames(in: keys), [])
    }
}
