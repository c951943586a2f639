// InMemoryHistory+Chains: snapshots and incremental chains (docs/format.md §6.5) in the in-memory repository:
// each snapshot's object is a real sealed tar, each incremental records its parent's manifest SHA-256 as stored,
// exactly as a backup would, so chain resolution, verification, listing and planning run on the real formats.
import Foundation
import Storage

@testable import Engine

extension InMemoryHistory {
    static let systemIdentifier = "7000000000000000001"

    /// A committed snapshot finished at `finishedAt`: full without `parent`, else an incremental of it whose chain
    /// continues the parent's.
    @discardableResult
    func snapshotBackup(
        finishedAt: Date, parent: BackupManifest? = nil, systemIdentifier: String = InMemoryHistory.systemIdentifier,
        timeline: Int = 1, wal: (start: String, stop: String) = ("000000010000000000000002", "000000010000000000000002")
    ) throws -> BackupManifest {
        let id = BackupID.generate(at: finishedAt.addingTimeInterval(-300))
        let name = RepositoryLayout.snapshotObjectName(compressed: true)
        let object = try sealedObject(id, name: name, entry: "base.tar.000000", content: Array("data of \(id)".utf8))
        var manifest = self.manifest(
            id, cluster: cluster, kind: .snapshot, finishedAt: finishedAt, duration: 300,
            server: ServerInfo(
                version: "17", versionNumber: 170000, systemIdentifier: systemIdentifier, timeline: timeline,
                startLsn: "0/2000028", stopLsn: "0/2000100"),
            objects: [object])
        manifest.snapshot = SnapshotRecord(
            object: name, entry: "base.tar", format: "pg_basebackup-tar", timeline: timeline,
            walSegmentSize: 16 << 20, startWal: wal.start, stopWal: wal.stop)
        if let parent {
            manifest.formatVersion = BackupManifest.incrementalFormatVersion
            manifest.snapshot?.incremental = IncrementalRecord(
                parent: parent.id, parentManifestSha256: try catalog.sealedManifest(parent.id).sha256,
                chain: (parent.incremental?.chain ?? []) + [parent.id], method: .pageLSN,
                sinceLsn: parent.server.startLsn)
        }
        try catalog.commit(manifest)
        return manifest
    }

    /// A full snapshot and `incrementals` incrementals after it, an hour apart, ending an hour before `end`.
    func chain(incrementals: Int, endingBefore end: Date) throws -> [BackupManifest] {
        var links = [try snapshotBackup(finishedAt: end.addingTimeInterval(-3600 * Double(incrementals + 1)))]
        for step in stride(from: incrementals, to: 0, by: -1) {
            links.append(
                try snapshotBackup(finishedAt: end.addingTimeInterval(-3600 * Double(step)), parent: links.last))
        }
        return links
    }

    func manifestKey(_ manifest: BackupManifest) throws -> ObjectKey {
        try ObjectKey(RepositoryLayout.manifest(cluster: cluster, id: manifest.id))
    }

    /// Replaces `target`'s stored manifest by `source`'s, re-sealed under `target`'s id: it authenticates and
    /// names the right backup, but it is not the manifest the incremental was taken against.
    func replaceManifest(of target: BackupManifest, withContentOf source: BackupManifest) throws {
        var forged = source
        forged.id = target.id
        try catalog.commit(forged)
    }

    func deleteManifest(of manifest: BackupManifest) throws {
        try store.delete(try manifestKey(manifest))
    }
}
