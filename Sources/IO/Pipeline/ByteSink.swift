// Pipeline: the streaming stages every stored object flows through.
//   write path: producer → TarWriter (tar + zstd) → BackgroundSink ⇢ SealingSink → DigestingSink → BlobWriterSink
//   read path:  BlobReader → SealedObjectReader (hash + count + open) → TarReader → consumer
// Each stage is a small type; the write path is push (`write`/`finish`), the read path pull (`read(into:)`).
import Storage

/// A push stage: receives bytes in order, then `finish` once. Used by one thread at a time.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    func finish() throws
}

/// The end of the write path: appends to a store's streaming writer (committing is the caller's decision).
public final class BlobWriterSink: ByteSink {
    private let writer: BlobWriter

    public init(_ writer: BlobWriter) { self.writer = writer }

    public func write(_ bytes: UnsafeRawBufferPointer) throws { try writer.write(bytes) }
    public func finish() throws {}
}
