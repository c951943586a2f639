// BackupChain: an incremental snapshot with everything it needs to be restored, resolved and authenticated link
// by link (docs/format.md §6.5). Each child names its parent and the SHA-256 of the parent's manifest as stored,
// so a parent replaced by another snapshot that authenticates on its own is still caught.
import Catalog
import Foundation

public struct BackupChain {
    /// Newest first: the backup asked for, its parent, …, the full snapshot last.
    public let links: [BackupManifest]

    public var newest: BackupManifest { links[0] }
    public var full: BackupManifest { links[links.count - 1] }
    /// Number of backups a restore reads (1 for a full).
    public var length: Int { links.count }

    /// The chain of `manifest`: just itself for a full snapshot (or a logical backup).
    public static func resolve(_ manifest: BackupManifest, catalog: BackupCatalog) throws -> BackupChain {
        try resolve(manifest, sealedManifest: catalog.sealedManifest)
    }

    /// The same, reading each parent through `sealedManifest` (its manifest and the SHA-256 of its stored object;
    /// `EngineError.backupNotFound` when absent): views that already hold every manifest (list, prune) check
    /// chains without reading a manifest twice.
    public static func resolve(
        _ manifest: BackupManifest, sealedManifest: (BackupID) throws -> (manifest: BackupManifest, sha256: String)
    ) throws -> BackupChain {
        var links = [manifest]
        var child = manifest
        while let link = child.incremental {
            do {
                let parent = try Self.parent(of: child, link: link, sealedManifest: sealedManifest)
                try Self.check(child: child, link: link, parent: parent)
                links.append(parent)
                child = parent
            } catch EngineError.chainBroken(let backup, let detail) where backup != manifest.id.rawValue {
                // The user asked about `manifest`: name it, and the link further up that fails.
                throw EngineError.chainBroken(
                    backup: manifest.id.rawValue, detail: "at its ancestor '\(backup)': \(detail)")
            }
        }
        guard let expected = manifest.incremental?.chain else { return BackupChain(links: links) }
        let found = links.dropFirst().reversed().map(\.id)
        guard Array(found) == expected else {
            throw EngineError.chainBroken(
                backup: manifest.id.rawValue,
                detail: "it records the chain \(expected.map(\.rawValue)) but its parents lead to "
                    + "\(found.map(\.rawValue))")
        }
        return BackupChain(links: links)
    }

    private static func parent(
        of child: BackupManifest, link: IncrementalRecord,
        sealedManifest: (BackupID) throws -> (manifest: BackupManifest, sha256: String)
    ) throws -> BackupManifest {
        let sealed: (manifest: BackupManifest, sha256: String)
        do {
            sealed = try sealedManifest(link.parent)
        } catch EngineError.backupNotFound {
            throw EngineError.chainBroken(
                backup: child.id.rawValue, detail: "its parent '\(link.parent)' is not in the repository")
        } catch EngineError.manifestMismatch(_, let detail) {
            // Another backup's manifest copied over the parent's authenticates but names that backup: it is not
            // the manifest the child was taken against either.
            throw EngineError.chainBroken(
                backup: child.id.rawValue,
                detail: "the manifest of its parent '\(link.parent)' is not the one it was taken against (\(detail))")
        }
        guard sealed.sha256 == link.parentManifestSha256 else {
            throw EngineError.chainBroken(
                backup: child.id.rawValue,
                detail: "the manifest of its parent '\(link.parent)' is not the one it was taken against "
                    + "(SHA-256 \(sealed.sha256), recorded \(link.parentManifestSha256))")
        }
        return sealed.manifest
    }

    private static func check(child: BackupManifest, link: IncrementalRecord, parent: BackupManifest) throws {
        guard let parentSnapshot = parent.snapshot, parent.kind == .snapshot else {
            throw EngineError.chainBroken(
                backup: child.id.rawValue, detail: "its parent '\(parent.id)' is not a snapshot")
        }
        let parentChain = (parent.incremental?.chain ?? []) + [parent.id]
        guard link.chain == parentChain else {
            throw EngineError.chainBroken(
                backup: child.id.rawValue,
                detail: "its recorded chain does not continue its parent's ('\(parent.id)')")
        }
        guard child.server.systemIdentifier == parent.server.systemIdentifier,
            child.snapshot?.timeline == parentSnapshot.timeline
        else {
            throw EngineError.chainBroken(
                backup: child.id.rawValue,
                detail: "its parent '\(parent.id)' belongs to another cluster history (system identifier or "
                    + "timeline differ)")
        }
    }
}
