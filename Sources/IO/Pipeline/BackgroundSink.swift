// BackgroundSink: runs the downstream stages on their own thread, so compression (on the producer's thread)
// overlaps with encryption, hashing and writing. The queue is bounded (`depth` buffers of `bufferSize`), so
// memory stays constant whatever the size of the stream; buffers are recycled, not reallocated.
import Foundation

public final class BackgroundSink: ByteSink, @unchecked Sendable {
    // Shared state is guarded by `condition`; `current` belongs to the producer thread alone and `next` to the
    // worker thread alone, which is why this class can be @unchecked Sendable.
    private let next: ByteSink
    private let bufferSize: Int
    private let depth: Int
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    private var spare: [[UInt8]] = []
    private var producerDone = false
    private var workerDone = false
    private var failure: Error?
    private var current: [UInt8]

    public init(next: ByteSink, bufferSize: Int = 1 << 20, depth: Int = 4) {
        self.next = next
        self.bufferSize = bufferSize
        self.depth = depth
        self.current = []
        self.current.reserveCapacity(bufferSize)
        let thread = Thread { [self] in self.runWorker() }
        thread.name = "lifeboat-pipeline"
        thread.start()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var remaining = bytes
        while !remaining.isEmpty {
            let take = min(bufferSize - current.count, remaining.count)
            current.append(contentsOf: UnsafeRawBufferPointer(rebasing: remaining[0..<take]))
            remaining = UnsafeRawBufferPointer(rebasing: remaining[take...])
            if current.count == bufferSize { try handOver() }
        }
    }

    public func finish() throws {
        if !current.isEmpty { try handOver() }
        condition.lock()
        producerDone = true
        condition.broadcast()
        while !workerDone { condition.wait() }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
    }

    /// Stops the worker without finishing the downstream stages (used when the producer failed). With
    /// `wait: false` it returns at once (signal path: the worker may be blocked downstream, and the process exits).
    public func cancel(_ reason: Error, wait: Bool = true) {
        condition.lock()
        if failure == nil { failure = reason }
        producerDone = true
        queue.removeAll()
        condition.broadcast()
        while wait && !workerDone { condition.wait() }
        condition.unlock()
    }

    private func handOver() throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(current)
        condition.signal()
        current = spare.popLast() ?? []
        current.removeAll(keepingCapacity: true)
        if current.capacity < bufferSize { current.reserveCapacity(bufferSize) }
    }

    private func runWorker() {
        while let buffer = nextBuffer() {
            do {
                try buffer.withUnsafeBytes { try next.write($0) }
                recycle(buffer)
            } catch {
                stop(with: error)
                return
            }
        }
        if failureIsSet() {
            stop(with: nil)
            return
        }
        do {
            try next.finish()
            stop(with: nil)
        } catch {
            stop(with: error)
        }
    }

    private func nextBuffer() -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !producerDone { condition.wait() }
        if queue.isEmpty || failure != nil { return nil }
        return queue.removeFirst()
    }

    private func recycle(_ buffer: [UInt8]) {
        condition.lock()
        if spare.count < 2 { spare.append(buffer) }
        condition.broadcast()
        condition.unlock()
    }

    private func failureIsSet() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return failure != nil
    }

    private func stop(with error: Error?) {
        condition.lock()
        if let error, failure == nil { failure = error }
        queue.removeAll()
        workerDone = true
        condition.broadcast()
        condition.unlock()
    }
}
