import XCTest

@testable import Cipher

final class ChunkFramerTests: XCTestCase {
    /// Feeds `input` in pieces of `step` bytes; returns the chunks passed on and the last one.
    func frame(_ input: [UInt8], chunkSize: Int, step: Int) throws -> (chunks: [[UInt8]], last: [UInt8]) {
        let framer = ChunkFramer(chunkSize: chunkSize)
        var chunks: [[UInt8]] = []
        try input.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + step, bytes.count)
                try framer.absorb(bytes[offset..<end]) { chunks.append(Array($0)) }
                offset = end
            }
        }
        var last: [UInt8] = []
        try framer.finish { last = Array($0) }
        XCTAssertEqual(framer.buffered, 0)
        return (chunks, last)
    }

    func testAFullChunkIsHeldBackUntilMoreInputArrives() throws {
        let input = (0..<32).map { UInt8($0) }
        for step in [1, 3, 8, 9, 32, 100] {
            let (chunks, last) = try frame(input, chunkSize: 8, step: step)
            XCTAssertEqual(chunks, [Array(input[0..<8]), Array(input[8..<16]), Array(input[16..<24])], "step \(step)")
            XCTAssertEqual(last, Array(input[24..<32]), "the last chunk is full, not empty (step \(step))")
        }
    }

    func testTheLastChunkCarriesTheRemainder() throws {
        let input = (0..<19).map { UInt8($0) }
        let (chunks, last) = try frame(input, chunkSize: 8, step: 5)
        XCTAssertEqual(chunks, [Array(input[0..<8]), Array(input[8..<16])])
        XCTAssertEqual(last, Array(input[16..<19]))
    }

    func testEmptyInputIsOneEmptyLastChunk() throws {
        let (chunks, last) = try frame([], chunkSize: 8, step: 1)
        XCTAssertEqual(chunks, [])
        XCTAssertEqual(last, [])
    }
}
