// PiecedEntryWriter and PiecedEntryReader: unknown-length streams split into sized entries and read back.
import ArchiveIO
import Foundation
import TestSupport
import XCTest

final class PiecedEntryTests: XCTestCase {
    /// Writes `stream` in random-sized chunks (some larger than a piece) followed by a normal entry.
    private func archive(_ stream: [UInt8], pieceSize: Int = 1000, compression: ArchiveCompression = .zstd) throws -> (
        bytes: [UInt8], pieces: Int
    ) {
        var pieces = 0
        let bytes = try makeArchive(compression) { writer in
            let pieced = PiecedEntryWriter(writer: writer, baseName: "db.dump", pieceSize: pieceSize)
            var rng = SplitMix64(seed: UInt64(stream.count))
            var offset = 0
            while offset < stream.count {
                let count = min(Int(rng.next() % UInt64(pieceSize * 3)) + 1, stream.count - offset)
                try stream.withUnsafeBytes {
                    try pieced.write(UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count]))
                }
                offset += count
            }
            let result = try pieced.finish()
            XCTAssertEqual(result.bytes, Int64(stream.count))
            pieces = result.pieces
            try writer.add("after", [1, 2, 3])
        }
        return (bytes, pieces)
    }

    private func readStream(_ pieced: PiecedEntryReader, seed: UInt64 = 5) throws -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4000)
        while true {
            let size = Int(rng.next() % 2500) + 1
            let count = try buffer.withUnsafeMutableBytes {
                try pieced.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<size]))
            }
            if count == 0 { return result }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    func testStreamsAcrossPieceBoundariesThenTheNextEntry() throws {
        for length in [0, 1, 999, 1000, 1001, 2000, 2500, 10_000, 54_321] {
            let stream = TestData.random(length, seed: UInt64(length) + 1)
            let (bytes, pieces) = try archive(stream)
            XCTAssertEqual(pieces, length / 1000 + 1, "last piece always short, so a multiple gets an empty one")
            let reader = try TarReader(bytes: bytes)
            let pieced = PiecedEntryReader(reader: reader, baseName: "db.dump", pieceSize: 1000)
            XCTAssertEqual(try readStream(pieced), stream, "length \(length)")
            XCTAssertEqual(try readStream(pieced), [], "stays at the end")
            XCTAssertEqual(pieced.pieces, pieces)
            XCTAssertEqual(pieced.bytes, Int64(length))
            XCTAssertEqual(try reader.nextEntry()?.name, "after", "the following entry is not consumed")
            XCTAssertEqual(try reader.readAll(), [1, 2, 3])
            XCTAssertNil(try reader.nextEntry())
        }
    }

    /// Held writes (`retaining:`) mixed with copied ones, in runs of random length and chunk size: the same pieces
    /// and the same stream, and nothing read from an owner after it was let go (each scribbles over its bytes when
    /// it is freed, so a writer that kept a pointer without its owner reads garbage).
    func testHeldAndCopiedWritesMixed() throws {
        for (length, seed) in [(0, 1), (999, 2), (1000, 3), (1001, 4), (2000, 5), (7777, 6), (54_321, 7)] {
            let stream = TestData.random(length, seed: UInt64(seed))
            var rng = SplitMix64(seed: UInt64(seed) * 31)
            var pieces = 0
            let bytes = try makeArchive(.none) { writer in
                let pieced = PiecedEntryWriter(writer: writer, baseName: "base.tar", pieceSize: 1000)
                var offset = 0
                while offset < stream.count {
                    let count = min(Int(rng.next() % 1500) + 1, stream.count - offset)
                    let chunk = Array(stream[offset..<offset + count])
                    if rng.next() % 3 == 0 {
                        try chunk.withUnsafeBytes { try pieced.write($0) }
                    } else {
                        let owner = ScribblingOwner(chunk)
                        try pieced.write(owner.bytes, retaining: owner)
                    }
                    offset += count
                }
                let result = try pieced.finish()
                XCTAssertEqual(result.bytes, Int64(length))
                pieces = result.pieces
            }
            XCTAssertEqual(pieces, length / 1000 + 1, "length \(length)")
            let reader = try TarReader(bytes: bytes)
            var sizes: [Int64] = []
            while let entry = try reader.nextEntry() { sizes.append(entry.size) }
            XCTAssertEqual(sizes, Array(repeating: 1000, count: length / 1000) + [Int64(length % 1000)])
            let again = try TarReader(bytes: bytes)
            let read = try readStream(PiecedEntryReader(reader: again, baseName: "base.tar", pieceSize: 1000))
            XCTAssertEqual(read, stream, "length \(length)")
        }
    }

    func testPieceNamesAndSizes() throws {
        let (bytes, _) = try archive(TestData.random(2500, seed: 3), compression: .none)
        let reader = try TarReader(bytes: bytes)
        var headers: [String] = []
        while let entry = try reader.nextEntry() { headers.append("\(entry.name):\(entry.size)") }
        XCTAssertEqual(headers, ["db.dump.000000:1000", "db.dump.000001:1000", "db.dump.000002:500", "after:3"])
    }

    func testEmptyStreamIsOneEmptyPiece() throws {
        let (bytes, pieces) = try archive([])
        XCTAssertEqual(pieces, 1)
        let reader = try TarReader(bytes: bytes)
        let first = try XCTUnwrap(try reader.nextEntry())
        XCTAssertEqual(first.name, "db.dump.000000")
        XCTAssertEqual(first.size, 0)
        XCTAssertEqual(try reader.nextEntry()?.name, "after")
        XCTAssertNil(try reader.nextEntry())
    }

    func testTwoStreamsBackToBackAndAtTheEndOfTheArchive() throws {
        let first = TestData.compressible(3333, seed: 1)
        let second = TestData.compressible(2000, seed: 2)
        let bytes = try makeArchive { writer in
            for (name, stream) in [("one", first), ("two", second)] {
                let pieced = PiecedEntryWriter(writer: writer, baseName: name, pieceSize: 1000)
                try stream.withUnsafeBytes { try pieced.write($0) }
                _ = try pieced.finish()
            }
        }
        let reader = try TarReader(bytes: bytes)
        XCTAssertEqual(try readStream(PiecedEntryReader(reader: reader, baseName: "one", pieceSize: 1000)), first)
        XCTAssertEqual(try readStream(PiecedEntryReader(reader: reader, baseName: "two", pieceSize: 1000)), second)
        XCTAssertNil(try reader.nextEntry())
    }

    func testDefaultPieceSizeWithLargeWrites() throws {
        let stream = TestData.compressible(17 << 20, seed: 4)
        let bytes = try makeArchive { writer in
            let pieced = PiecedEntryWriter(writer: writer, baseName: "big")
            try stream.withUnsafeBytes { try pieced.write($0) }
            let result = try pieced.finish()
            XCTAssertEqual(result.pieces, 3)
        }
        let pieced = PiecedEntryReader(reader: try TarReader(bytes: bytes, maxPiece: 1 << 20), baseName: "big")
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while case let count = try buffer.withUnsafeMutableBytes({ try pieced.read(into: $0) }), count > 0 {
            result.append(contentsOf: buffer[0..<count])
        }
        XCTAssertEqual(result, stream)
    }

    /// Builds an archive with hand-chosen piece entries, to break the format rules on purpose.
    private func corruptCase(_ entries: [(String, Int)], readerPieceSize: Int = 1000) throws -> String {
        let bytes = try makeArchive(.none) { writer in
            for (name, size) in entries { try writer.add(name, [UInt8](repeating: 0x41, count: size)) }
        }
        let pieced = PiecedEntryReader(reader: try TarReader(bytes: bytes), baseName: "db", pieceSize: readerPieceSize)
        guard case .corrupt(let detail)? = assertArchiveError(try readStream(pieced)) else { return "not corrupt" }
        return detail
    }

    func testBrokenPieceSequencesAreCorrupt() throws {
        let cases: [([(String, Int)], Int, [String])] = [
            ([("db.000001", 5)], 1000, ["'db.000000'", "'db.000001'"]),
            ([("other", 5)], 1000, ["'db.000000'", "'other'"]),
            ([], 1000, ["'db.000000'", "end of the archive"]),
            ([("db.000000", 1000), ("db.000002", 5)], 1000, ["'db.000001'", "'db.000002'"]),
            ([("db.000000", 1000), ("after", 3)], 1000, ["'db.000001'", "'after'"]),
            ([("db.000000", 1000)], 1000, ["'db.000001'", "end of the archive"]),
            ([("db.000000", 1000), ("dx.000001", 5)], 1000, ["'db.000001'", "'dx.000001'"]),
            ([("db.000000", 5), ("db.000001", 3)], 1000, ["'db.000000'", "'db.000001'"]),
            ([("db.000000", 1500), ("db.000001", 3)], 1000, ["'db.000000'", "'1500'"]),
            ([("db.000000", 1000), ("db.000001", 3)], 2000, ["'db.000001'"]),
        ]
        for (entries, pieceSize, fragments) in cases {
            let detail = try corruptCase(entries, readerPieceSize: pieceSize)
            for fragment in fragments {
                XCTAssertTrue(detail.contains(fragment), "\(entries): '\(detail)' lacks \(fragment)")
            }
        }
    }

    func testWriteAfterFinishIsMisuse() throws {
        let writer = try TarWriter(output: { _ in })
        let pieced = PiecedEntryWriter(writer: writer, baseName: "x", pieceSize: 10)
        _ = try pieced.finish()
        guard case .misuse? = assertArchiveError(try [UInt8]([1]).withUnsafeBytes { try pieced.write($0) }) else {
            return XCTFail()
        }
        guard case .misuse? = assertArchiveError(try pieced.finish()) else { return XCTFail() }
    }

    func testOutputErrorSurfacesThroughThePiecedWriter() throws {
        let writer = try TarWriter(compression: .none, output: { _ in throw Boom(id: 5) })
        let pieced = PiecedEntryWriter(writer: writer, baseName: "x", pieceSize: 100_000)
        let data = TestData.random(1 << 20, seed: 6)
        XCTAssertThrowsError(try data.withUnsafeBytes { try pieced.write($0) }) {
            XCTAssertEqual($0 as? Boom, Boom(id: 5))
        }
    }
}

/// Owns a copy of some bytes and overwrites them when freed: a reader of released memory sees 0xEE, not the data.
private final class ScribblingOwner {
    let storage: UnsafeMutableRawBufferPointer
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(storage) }

    init(_ bytes: [UInt8]) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
    }

    deinit {
        storage.initializeMemory(as: UInt8.self, repeating: 0xEE)
        storage.deallocate()
    }
}
