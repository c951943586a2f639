// ReadAhead: the read-side counterpart of BackgroundSink. It pulls a reader (`source`) on its own thread, up to
// `depth` buffers of `bufferSize` ahead of the consumer, so the stages behind it (downloading and authenticating,
// or decompressing) run while the consumer works on earlier bytes (writing files). A restore chains two of them:
// store → authenticate | decompress → unpack | extract → write.
//
// Contract: bytes come out in the order the source produced them; an error the source throws reaches the
// consumer only after every byte the source delivered before it, exactly where a reader on the consumer's thread
// would have thrown it, so "authenticated before applied" and "checked at the end" keep their meaning. Memory is
// bounded: at most depth + 1 buffers exist, recycled rather than reallocated. The source runs on the worker
// thread only (from construction on, the consumer must not touch it). The worker keeps the ReadAhead alive: a
// consumer that stops before the end calls `cancel()`.
import Foundation

public final class ReadAhead: @unchecked Sendable {
    public typealias Source = (UnsafeMutableRawBufferPointer) throws -> Int

    // Shared state is guarded by `condition`; `current`/`offset` belong to the consumer, `source` to the worker.
    private let source: Source
    private let bufferSize: Int
    private let depth: Int
    private let condition = NSCondition()
    private var filled: [Chunk] = []
    private var spare: [Chunk] = []
    private var ended = false
    private var failure: (any Error)?
    private var cancelled = false
    private var workerDone = false
    private var current = Chunk(capacity: 0)
    private var offset = 0

    private struct Chunk {
        var bytes: [UInt8]
        var count = 0
        init(capacity: Int) { bytes = [UInt8](repeating: 0, count: capacity) }
    }

    public init(name: String, bufferSize: Int = 1 << 20, depth: Int = 4, source: @escaping Source) {
        precondition(bufferSize > 0 && depth > 0)
        self.source = source
        self.bufferSize = bufferSize
        self.depth = depth
        let thread = Thread { [self] in self.runWorker() }
        thread.name = name
        thread.start()
    }

    /// Fills `buffer` with the next bytes; 0 at the end of the stream. Rethrows the source's error in its place.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while offset == current.count {
            guard let next = try nextChunk() else { return 0 }
            current = next
            offset = 0
        }
        let count = min(buffer.count, current.count - offset)
        current.bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
        }
        offset += count
        return count
    }

    /// Stops the worker and waits until it no longer uses the source (it finishes a source call in progress).
    /// Later reads throw `PipelineError.aborted`. Called by the consumer.
    public func cancel() {
        current = Chunk(capacity: 0)
        offset = 0
        stopWorker()
    }

    // MARK: consumer side

    private func nextChunk() throws -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        if current.bytes.count == bufferSize, spare.isEmpty { spare.append(current) }
        current = Chunk(capacity: 0)
        offset = 0
        while filled.isEmpty && !ended && !cancelled { condition.wait() }
        if cancelled { throw PipelineError.aborted }
        guard !filled.isEmpty else {
            if let failure { throw failure }
            return nil
        }
        condition.broadcast()
        return filled.removeFirst()
    }

    // MARK: worker side

    private func runWorker() {
        while var chunk = emptyChunk() {
            var error: (any Error)?
            var atEnd = false
            // One buffer filled by as many source calls as it takes: fewer hand-overs, larger writes downstream.
            while chunk.count < bufferSize {
                do {
                    let count = try chunk.bytes.withUnsafeMutableBytes {
                        try source(UnsafeMutableRawBufferPointer(rebasing: $0[chunk.count...]))
                    }
                    if count == 0 {
                        atEnd = true
                        break
                    }
                    chunk.count += count
                } catch let thrown {
                    error = thrown
                    break
                }
            }
            guard deliver(chunk, error: error, atEnd: atEnd) else { break }
        }
        condition.lock()
        workerDone = true
        condition.broadcast()
        condition.unlock()
    }

    /// A buffer to fill once there is room in the queue; nil when cancelled.
    private func emptyChunk() -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        while filled.count >= depth && !cancelled { condition.wait() }
        if cancelled { return nil }
        var chunk = spare.popLast() ?? Chunk(capacity: bufferSize)
        chunk.count = 0
        return chunk
    }

    /// Queues a chunk (and the end or the error after it); false when the worker must stop.
    private func deliver(_ chunk: Chunk, error: (any Error)?, atEnd: Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if chunk.count > 0 { filled.append(chunk) }
        if let error { failure = error }
        if error != nil || atEnd { ended = true }
        condition.broadcast()
        return !ended && !cancelled
    }

    private func stopWorker() {
        condition.lock()
        cancelled = true
        filled.removeAll()
        condition.broadcast()
        while !workerDone { condition.wait() }
        condition.unlock()
    }
}
