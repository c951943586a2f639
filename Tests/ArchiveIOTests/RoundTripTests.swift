// Round trips through TarWriter and TarReader: exact bytes, headers, compression, streaming in small pieces.
import ArchiveIO
import Foundation
import XCTest

final class RoundTripTests: XCTestCase {
    private func sampleEntries() -> [WrittenEntry] {
        [
            WrittenEntry(name: "empty", data: []),
            WrittenEntry(name: "one", data: [0x42]),
            WrittenEntry(name: "dir/random-10k", data: TestData.random(10 << 10, seed: 1)),
            WrittenEntry(name: "dir/sub/text-10k", data: TestData.compressible(10 << 10, seed: 2)),
            WrittenEntry(name: "random-5m", data: TestData.random(5 << 20, seed: 3)),
            WrittenEntry(name: "text-5m", data: TestData.compressible(5 << 20, seed: 4)),
            WrittenEntry(name: "exact-512", data: TestData.random(512, seed: 5)),
        ]
    }

    private func roundTrip(_ compression: ArchiveCompression) throws {
        let entries = sampleEntries()
        let archive = try makeArchive(compression) { writer in
            for entry in entries { try writer.add(entry.name, entry.data) }
            XCTAssertEqual(writer.bytesIn, Int64(entries.reduce(0) { $0 + $1.data.count }))
        }
        for seed: UInt64 in [1, 2] {
            let reader = try TarReader(bytes: archive, seed: seed, maxPiece: 3000)
            XCTAssertEqual(try reader.readAllEntries(), entries)
        }
    }

    func testRoundTripZstd() throws { try roundTrip(.zstd) }
    func testRoundTripUncompressed() throws { try roundTrip(.none) }

    func testZstdOutputIsZstdAndSmallerForText() throws {
        let text = TestData.compressible(1 << 20, seed: 9)
        let zstd = try makeArchive(.zstd) { try $0.add("t", text) }
        let plain = try makeArchive(.none) { try $0.add("t", text) }
        XCTAssertEqual(Array(zstd.prefix(4)), [0x28, 0xB5, 0x2F, 0xFD], "zstd frame magic")
        XCTAssertLessThan(zstd.count, plain.count / 3)
        // Uncompressed: header + data + end marker, no padding to libarchive's 10 KiB default block.
        XCTAssertEqual(plain.count, 512 + text.count + 1024)
    }

    func testEmptyArchiveRoundTrips() throws {
        for compression in [ArchiveCompression.zstd, .none] {
            let archive = try makeArchive(compression) { _ in }
            let reader = try TarReader(bytes: archive)
            XCTAssertNil(try reader.nextEntry())
            XCTAssertNil(try reader.nextEntry(), "end stays the end")
        }
    }

    func testHeaderFieldsRoundTrip() throws {
        let time = Date(timeIntervalSince1970: 1_234_567_890.75)
        let longName = String(repeating: "long-directory-name/", count: 12) + "données été.bin"
        let archive = try makeArchive { writer in
            try writer.add("exec", [1, 2, 3], mode: 0o755, modificationTime: time)
            try writer.add(longName, [4], mode: 0o640, modificationTime: time)
        }
        let reader = try TarReader(bytes: archive)
        XCTAssertEqual(
            try reader.nextEntry(),
            TarEntry(name: "exec", size: 3, mode: 0o755, modificationTime: Date(timeIntervalSince1970: 1_234_567_890)))
        XCTAssertEqual(
            try reader.nextEntry(),
            TarEntry(name: longName, size: 1, mode: 0o640, modificationTime: Date(timeIntervalSince1970: 1_234_567_890))
        )
        XCTAssertEqual(try reader.readAll(), [4])
        XCTAssertNil(try reader.nextEntry())
    }

    func testSkippingUnreadDataAndPartialReads() throws {
        let big = TestData.random(100_000, seed: 11)
        let archive = try makeArchive { writer in
            try writer.add("a", big)
            try writer.add("b", [9, 8, 7])
        }
        let reader = try TarReader(bytes: archive)
        XCTAssertEqual(try reader.nextEntry()?.name, "a")
        var buffer = [UInt8](repeating: 0, count: 10)
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }, 10)
        XCTAssertEqual(buffer, Array(big.prefix(10)))
        XCTAssertEqual(try reader.nextEntry()?.name, "b", "the rest of 'a' is skipped")
        XCTAssertEqual(try reader.readAll(), [9, 8, 7])
        XCTAssertEqual(try reader.readAll(), [], "0 again at the end of the entry")
        XCTAssertNil(try reader.nextEntry())
    }

    func testOutputArrivesInLargeBlocksWhileWriting() throws {
        // Streaming: output flows during writing, not only at close, and in few calls.
        let sink = ByteSink()
        let writer = try TarWriter(compression: .none, output: sink.append)
        let data = TestData.random(4 << 20, seed: 12)
        try writer.add("big", data)
        XCTAssertGreaterThan(sink.bytes.count, 3 << 20, "bytes reach output before close")
        XCTAssertLessThan(sink.calls, 100)
        try writer.close()
        XCTAssertEqual(try TarReader(bytes: sink.bytes).readAllEntries(), [WrittenEntry(name: "big", data: data)])
    }

    func testWriterOptionsAndThreads() throws {
        let data = TestData.compressible(2 << 20, seed: 13)
        for (level, threads) in [(1, 0), (19, 0), (3, 2)] {
            let sink = ByteSink()
            let writer = try TarWriter(compression: .zstd, level: level, threads: threads, output: sink.append)
            try writer.add("x", data)
            try writer.close()
            XCTAssertEqual(
                try TarReader(bytes: sink.bytes).readAllEntries(), [WrittenEntry(name: "x", data: data)],
                "level \(level) threads \(threads)")
        }
    }

    /// wal.compression_level accepts zstd's fast (negative) levels: libarchive must apply them, not refuse or
    /// ignore them (a fast level compresses less than level 1).
    func testFastZstdLevelsRoundTripAndCompressLess() throws {
        let data = TestData.compressible(2 << 20, seed: 15)
        var sizes: [Int: Int] = [:]
        for level in [1, -1, -7] {
            let sink = ByteSink()
            let writer = try TarWriter(compression: .zstd, level: level, output: sink.append)
            try writer.add("x", data)
            try writer.close()
            XCTAssertEqual(
                try TarReader(bytes: sink.bytes).readAllEntries(), [WrittenEntry(name: "x", data: data)], "\(level)")
            sizes[level] = sink.bytes.count
        }
        XCTAssertLessThan(sizes[1]!, sizes[-7]!, "\(sizes)")
        XCTAssertLessThanOrEqual(sizes[-1]!, sizes[-7]!, "\(sizes)")
    }

    func testInvalidOptionsThrow() {
        let level = assertArchiveError(try TarWriter(level: 99, output: { _ in }))
        if case .libarchive? = level {} else { XCTFail("level 99: \(String(describing: level))") }
        let threads = assertArchiveError(try TarWriter(threads: -1, output: { _ in }))
        if case .misuse? = threads {} else { XCTFail("threads -1: \(String(describing: threads))") }
    }

    func testReadsArchivesCompressedByOtherTools() throws {
        let entries = [
            WrittenEntry(name: "a", data: TestData.compressible(300_000, seed: 14)),
            WrittenEntry(name: "b/c", data: [1]),
        ]
        let plain = try makeArchive(.none) { writer in for entry in entries { try writer.add(entry.name, entry.data) } }
        var tried = 0
        for tool in ["/usr/bin/gzip", "/usr/bin/xz", "/usr/bin/lz4", "/usr/bin/zstd"] {
            guard let compressed = try runTool(tool, ["-c"], input: plain) else { continue }
            tried += 1
            XCTAssertNotEqual(compressed, plain)
            XCTAssertEqual(try TarReader(bytes: compressed).readAllEntries(), entries, tool)
        }
        try XCTSkipIf(tried == 0, "no compression tools installed")
    }

    func testZstdCommandLineToolDecodesOurOutput() throws {
        let entries = [WrittenEntry(name: "a", data: TestData.compressible(200_000, seed: 15))]
        let zstd = try makeArchive(.zstd) { writer in for entry in entries { try writer.add(entry.name, entry.data) } }
        let plain = try makeArchive(.none) { writer in for entry in entries { try writer.add(entry.name, entry.data) } }
        guard let decoded = try runTool("/usr/bin/zstd", ["-d", "-c"], input: zstd) else {
            throw XCTSkip("zstd not installed")
        }
        XCTAssertEqual(decoded, plain)
    }
}
