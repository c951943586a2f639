// ObjectSource: opens a stored object for reading through the whole read path (store → authenticate →
// decompress → tar) and yields the byte stream of one pieced entry (a pg_dump or globals stream).
import ArchiveIO
import Catalog
import Pipeline
import Storage

struct ObjectSource {
    let repository: Repository
    let keyring: Keyring
    let cluster: String
    let manifest: BackupManifest

    func key(_ name: String) throws -> ObjectKey {
        try ObjectKey(RepositoryLayout.object(cluster: cluster, id: manifest.id, name: name))
    }

    func sealedReader(_ name: String) throws -> SealedObjectReader {
        guard let object = manifest.object(named: name) else {
            throw EngineError.manifestMismatch(key: name, detail: "the manifest does not list object '\(name)'")
        }
        return try SealedObjectReader(
            store: repository.store, key: try key(name),
            expected: ExpectedObject(size: object.storedSize, sha256: object.sha256),
            keyLookup: keyring.lookup)
    }

    /// Authenticates the whole object (every chunk, size and SHA-256) without decompressing it.
    func authenticate(_ name: String) throws {
        try sealedReader(name).drain()
    }

    /// Streams the concatenated pieces of `entryName` to `consume`; throws on any integrity problem.
    func streamEntry(_ name: String, entryName: String, consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        let sealed = try sealedReader(name)
        do {
            let tar = try TarReader { buffer in try sealed.read(into: buffer) }
            let pieces = PiecedEntryReader(reader: tar, baseName: entryName)
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = try buffer.withUnsafeMutableBytes { try pieces.read(into: $0) }
                if count == 0 { break }
                try buffer.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            // Drain to the end so the ledger check (size and SHA-256) runs even if the tar has trailing entries.
            try sealed.drain()
        } catch let error as ArchiveError {
            throw PipelineError.corruptObject(key: sealed.key.rawValue, detail: error.message)
        }
    }

    /// Hands `body` a pull-style reader of the concatenated pieces of `entryName` (0 at the end of the stream),
    /// e.g. to feed a nested TarReader; afterwards checks that the stream ended and drains the object so its
    /// ledger (size and SHA-256) is checked. Archive errors, also of a nested reader, are integrity failures.
    func withEntryReader(
        _ name: String, entryName: String,
        body: (@escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Void
    ) throws {
        let sealed = try sealedReader(name)
        do {
            let tar = try TarReader { buffer in try sealed.read(into: buffer) }
            let pieces = PiecedEntryReader(reader: tar, baseName: entryName)
            try body { buffer in try pieces.read(into: buffer) }
            var rest = [UInt8](repeating: 0, count: 1 << 16)
            while try rest.withUnsafeMutableBytes({ try pieces.read(into: $0) }) > 0 {}
            try sealed.drain()
        } catch let error as ArchiveError {
            throw PipelineError.corruptObject(key: sealed.key.rawValue, detail: error.message)
        }
    }
}
