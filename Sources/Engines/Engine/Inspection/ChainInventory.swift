// ChainInventory: every complete backup of a cluster with what restoring it needs (docs/format.md §6.5): a full
// backup stands alone, an incremental snapshot needs its chain, resolved and authenticated link by link. The
// views that show or judge many backups (list, verify --all, prune, status, reports, drills) read every manifest
// once, with the SHA-256 of its stored object, and check each chain against those instead of reading parents
// again. A broken chain is a fact to report, not an error that ends the view: the backup cannot be restored, and
// everything else still can.
import Catalog
import Foundation

public struct ChainInventory: Sendable {
    /// Every complete backup, oldest first.
    public let manifests: [BackupManifest]
    /// The chain of every backup, by id.
    public let chains: [BackupID: ChainState]

    public init(sealed: [(manifest: BackupManifest, sha256: String)]) {
        let byID = Dictionary(sealed.map { ($0.manifest.id, $0) }, uniquingKeysWith: { first, _ in first })
        let lookup = { (id: BackupID) throws -> (manifest: BackupManifest, sha256: String) in
            guard let found = byID[id] else { throw EngineError.backupNotFound(id.rawValue) }
            return found
        }
        manifests = sealed.map(\.manifest).sorted(by: BackupManifest.chronologically)
        var chains: [BackupID: ChainState] = [:]
        for manifest in manifests { chains[manifest.id] = ChainState.of(manifest, sealedManifest: lookup) }
        self.chains = chains
    }

    /// Reads every manifest of the catalog (an unreadable one is an integrity error, as for `list`).
    public static func read(_ catalog: BackupCatalog) throws -> ChainInventory {
        ChainInventory(sealed: try catalog.backupIDs().map { try catalog.sealedManifest($0) })
    }

    public func state(of id: BackupID) -> ChainState { chains[id] ?? ChainState(parent: nil, chain: [], broken: nil) }

    /// The backups a restore can start from: fulls, logical backups and incrementals whose chain holds.
    public var restorable: [BackupManifest] { manifests.filter { state(of: $0.id).broken == nil } }

    /// Incrementals whose chain does not hold, oldest first, with why.
    public var broken: [(manifest: BackupManifest, detail: String)] {
        manifests.compactMap { manifest in state(of: manifest.id).broken.map { (manifest, $0) } }
    }
}

/// One backup's place in its chain: `list`, `show` and the JSON views show it (docs/json.md).
public struct ChainState: Codable, Sendable, Equatable {
    /// "full" (a logical backup or a full snapshot) or "incremental".
    public var type: String
    /// The backup this one stores the changes since; absent for a full.
    public var parent: String?
    /// The full snapshot first, then every incremental down to the parent; empty for a full.
    public var chain: [String]
    /// Backups a restore reads: the chain and the backup itself (1 for a full).
    public var length: Int
    /// Why the chain does not hold (a parent missing, swapped or of another cluster history); absent when it does.
    public var broken: String?

    public init(parent: BackupID?, chain: [BackupID], broken: String?) {
        type = parent == nil ? "full" : "incremental"
        self.parent = parent?.rawValue
        self.chain = chain.map(\.rawValue)
        length = chain.count + 1
        self.broken = broken
    }

    public var isIncremental: Bool { parent != nil }

    static func of(
        _ manifest: BackupManifest, sealedManifest: (BackupID) throws -> (manifest: BackupManifest, sha256: String)
    ) -> ChainState {
        guard let link = manifest.incremental else { return ChainState(parent: nil, chain: [], broken: nil) }
        do {
            _ = try BackupChain.resolve(manifest, sealedManifest: sealedManifest)
            return ChainState(parent: link.parent, chain: link.chain, broken: nil)
        } catch EngineError.chainBroken(_, let detail) {
            return ChainState(parent: link.parent, chain: link.chain, broken: detail)
        } catch {
            return ChainState(parent: link.parent, chain: link.chain, broken: ProblemText.of(error))
        }
    }
}
