// ReadAhead: bytes in order, the source's error in its place (after every byte before it), bounded look-ahead,
// and a cancel that stops the worker.
import Foundation
import Pipeline
import XCTest

final class ReadAheadTests: XCTestCase {
    struct Boom: Error, Equatable {}

    /// A source that hands out `data` in uneven steps, then `failure` (or the end).
    final class StepSource: @unchecked Sendable {
        let data: [UInt8]
        let failure: Boom?
        let lock = NSLock()
        private var offset = 0
        private(set) var calls = 0

        init(_ data: [UInt8], failure: Boom? = nil) {
            self.data = data
            self.failure = failure
        }

        var produced: Int {
            lock.lock()
            defer { lock.unlock() }
            return offset
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            lock.lock()
            defer { lock.unlock() }
            calls += 1
            if offset == data.count {
                if let failure { throw failure }
                return 0
            }
            let count = min(buffer.count, 1 + (calls * 7919) % 5000, data.count - offset)
            data[offset..<(offset + count)].withUnsafeBytes { buffer.copyMemory(from: $0) }
            offset += count
            return count
        }
    }

    func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) } }

    /// Everything `ahead` yields in reads of `step` bytes, and the error that ended it.
    func drain(_ ahead: ReadAhead, step: Int) -> ([UInt8], (any Error)?) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: step)
        do {
            while case let count = try buffer.withUnsafeMutableBytes({ try ahead.read(into: $0) }), count > 0 {
                out += buffer[0..<count]
            }
            return (out, nil)
        } catch {
            return (out, error)
        }
    }

    func testBytesComeOutInOrderAcrossBufferBoundaries() {
        let data = bytes(300_000)
        let source = StepSource(data)
        let ahead = ReadAhead(name: "test", bufferSize: 4096, depth: 3) { try source.read(into: $0) }
        let (out, error) = drain(ahead, step: 1000)
        XCTAssertNil(error)
        XCTAssertEqual(out, data)
    }

    func testTheSourcesErrorArrivesAfterEveryByteBeforeIt() {
        let data = bytes(50_000)
        let source = StepSource(data, failure: Boom())
        let ahead = ReadAhead(name: "test", bufferSize: 8192, depth: 2) { try source.read(into: $0) }
        let (out, error) = drain(ahead, step: 777)
        XCTAssertEqual(out, data, "every byte delivered before the failure reaches the consumer")
        XCTAssertEqual(error as? Boom, Boom())
        var buffer = [UInt8](repeating: 0, count: 16)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { try ahead.read(into: $0) }) {
            XCTAssertEqual($0 as? Boom, Boom(), "a failed stream stays failed")
        }
    }

    func testLookAheadIsBoundedAndCancelStopsTheWorker() throws {
        let data = bytes(1 << 20)
        let source = StepSource(data)
        let ahead = ReadAhead(name: "test", bufferSize: 4096, depth: 2) { try source.read(into: $0) }
        var buffer = [UInt8](repeating: 0, count: 100)
        _ = try buffer.withUnsafeMutableBytes { try ahead.read(into: $0) }
        Thread.sleep(forTimeInterval: 0.2)
        // The consumer holds one buffer, the queue two, the worker fills a fourth: nothing beyond that.
        XCTAssertLessThanOrEqual(source.produced, 4 * 4096)
        ahead.cancel()
        let stopped = source.produced
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(source.produced, stopped, "the worker no longer reads after cancel")
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { try ahead.read(into: $0) })
    }
}
