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
    /// Three threads share the work (ReadAhead): one downloads, hashes and authenticates, one decompresses and
    /// unpacks the pieces, and `body` runs on the caller's, so reading, decompressing and writing overlap. The
    /// unpacking stage reports its end only once the whole object has passed the ledger check.
    func withEntryReader(
        _ name: String, entryName: String,
        body: (@escaping (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Void
    ) throws {
        let sealed = try sealedReader(name)
        let authenticated = ReadAhead(name: "lifeboat-authenticate") { try sealed.read(into: $0) }
        var unpacked: ReadAhead?
        defer {
            // Downstream first: its worker is the consumer of `authenticated`, and is done once this returns.
            unpacked?.cancel()
            authenticated.cancel()
        }
        do {
            let tar = try TarReader { buffer in try authenticated.read(into: buffer) }
            let pieces = PiecedEntryReader(reader: tar, baseName: entryName)
            let stream = ReadAhead(name: "lifeboat-unpack") { buffer in
                let count = try pieces.read(into: buffer)
                if count == 0 { try Self.drain(authenticated) }
                return count
            }
            unpacked = stream
            try body { buffer in try stream.read(into: buffer) }
            try Self.drain(stream)
        } catch let error as ArchiveError {
            throw PipelineError.corruptObject(key: sealed.key.rawValue, detail: error.message)
        }
    }

    /// Reads `stream` to its end, discarding the bytes (their checks run as they pass).
    private static func drain(_ stream: ReadAhead) throws {
        var rest = [UInt8](repeating: 0, count: 1 << 16)
        while try rest.withUnsafeMutableBytes({ try stream.read(into: $0) }) > 0 {}
    }
}
