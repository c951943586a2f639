// SealedObjectWriter: composes the write path for one stored object:
//   TarWriter (tar + zstd, caller's thread) → BackgroundSink ⇢ SealingSink → DigestingSink → store writer.
// Nothing is visible in the store until `commit`; `abort` discards everything. The DigestingSink (the SHA-256 of
// the stored bytes, a manifest's ledger entry) is left out for objects whose record binds the plaintext
// instead (WAL): hashing a segment's stored bytes again costs a few ms of CPU per segment for nothing.
import ArchiveIO
import Storage

public struct CommittedObject: Sendable, Equatable {
    public let key: ObjectKey
    public let storedSize: Int64
    public let sha256: String
    public let contentSize: Int64
}

public final class SealedObjectWriter {
    public let key: ObjectKey
    public let tar: TarWriter
    private let blobWriter: BlobWriter
    private let digest: DigestingSink?
    private let background: BackgroundSink
    private var done = false

    /// `ledger` false: the stored bytes are not hashed and the committed object's `sha256` is empty.
    public init(
        store: BlobStore, key: ObjectKey, sealingKey: SealingKey,
        compression: ArchiveCompression, level: Int, compressionThreads: Int = 0, ledger: Bool = true
    ) throws {
        self.key = key
        let blobWriter = try store.makeWriter(for: key)
        do {
            let digest = ledger ? try DigestingSink(next: BlobWriterSink(blobWriter)) : nil
            let sealed: ByteSink = digest ?? BlobWriterSink(blobWriter)
            let background = BackgroundSink(next: try SealingSink(key: sealingKey, next: sealed))
            self.blobWriter = blobWriter
            self.digest = digest
            self.background = background
            do {
                self.tar = try TarWriter(compression: compression, level: level, threads: compressionThreads) { bytes in
                    try background.write(bytes)
                }
            } catch {
                background.cancel(error)
                throw error
            }
        } catch {
            blobWriter.abort()
            throw error
        }
    }

    /// Finishes the archive, flushes every stage and makes the object visible.
    public func commit() throws -> CommittedObject {
        precondition(!done, "commit or abort called twice")
        done = true
        do {
            try tar.close()
            try background.finish()
            let info = try blobWriter.commit()
            return CommittedObject(
                key: key, storedSize: info.size, sha256: digest?.digestHex ?? "",
                contentSize: tar.bytesIn)
        } catch {
            background.cancel(error)
            blobWriter.abort()
            throw error
        }
    }

    /// Discards the object. `immediately` (signal path) aborts the store's upload first and does not wait for
    /// the pipeline thread, which may be blocked on the store.
    /// The immediate path may run concurrently with the owning thread's own failure handling (a signal arrives
    /// while the producer is already aborting and blocked), so it never consults `done`; store writers' `abort`
    /// is idempotent.
    public func abort(_ reason: Error = PipelineError.aborted, immediately: Bool = false) {
        if immediately {
            blobWriter.abort()
            background.cancel(reason, wait: false)
            return
        }
        guard !done else { return }
        done = true
        background.cancel(reason)
        blobWriter.abort()
    }
}
