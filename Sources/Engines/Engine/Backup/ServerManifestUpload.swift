// ServerManifestUpload: what an incremental reads of its parent's server manifest (the `backup_manifest` stream
// every snapshot stores, docs/format.md §6.5), streamed from the repository, authenticated as it is read: for
// page-lsn an index of the parent's files (memory per file, not per byte), for wal-summary the manifest itself,
// sent to the server with UPLOAD_MANIFEST (PostgreSQL 17+) on the replication connection the backup then uses.
import Catalog
import Foundation
import PGClient

struct ServerManifestUpload {
    let repository: Repository
    let keyring: Keyring
    let cluster: String
    let base: IncrementalBase

    private var source: ObjectSource {
        ObjectSource(repository: repository, keyring: keyring, cluster: cluster, manifest: base.parent)
    }

    /// The parent's files, sizes and modification times.
    func index() throws -> ServerManifestIndex {
        var index = ServerManifestIndex()
        do {
            try source.streamEntry(base.serverManifest, entryName: RepositoryLayout.serverManifestEntryName) {
                try index.consume($0)
            }
            try index.finish()
        } catch let error as ServerManifestError {
            throw SnapshotError.unexpectedOutput("\(error) (object \(base.serverManifest) of \(base.parent.id))")
        }
        return index
    }

    /// UPLOAD_MANIFEST: the server answers with a COPY IN stream, takes the manifest, and completes.
    func upload(to connection: PGConnection) throws {
        try connection.send("UPLOAD_MANIFEST")
        do {
            guard try connection.nextResult() == .copyIn else {
                throw SnapshotError.unexpectedOutput("UPLOAD_MANIFEST did not start a copy")
            }
        } catch let error as PGError {
            throw IncrementalRefused(detail: error.message)
        }
        try source.streamEntry(base.serverManifest, entryName: RepositoryLayout.serverManifestEntryName) {
            try connection.writeCopyData($0)
        }
        try connection.endCopy()
        do {
            while try connection.nextResult() != nil {}
        } catch let error as PGError {
            throw IncrementalRefused(detail: error.message)
        }
    }
}
