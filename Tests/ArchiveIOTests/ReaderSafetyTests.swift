// TarReader on hostile or damaged input: truncation, garbage, unsafe names, non-regular entries, input errors.
import ArchiveIO
import Diagnostics
import Foundation
import TestSupport
import XCTest

final class ReaderSafetyTests: XCTestCase {
    private func sampleArchive(_ compression: ArchiveCompression) throws -> [UInt8] {
        try makeArchive(compression) { writer in
            try writer.add("a", TestData.compressible(30_000, seed: 31))
            try writer.add("b", TestData.random(5000, seed: 32))
            try writer.add("c", [])
        }
    }

    /// Cuts at every position near the end (where the end-of-archive marker lives) and at random positions.
    private func cutPoints(_ count: Int, tail: Int) -> [Int] {
        var rng = SplitMix64(seed: 33)
        let tailCuts = Array(max(0, count - tail)..<count)
        let randomCuts = (0..<60).map { _ in Int(rng.next() % UInt64(count)) }
        return tailCuts + randomCuts + [0]
    }

    func testTruncatedZstdArchiveIsAlwaysAnError() throws {
        let archive = try sampleArchive(.zstd)
        for cut in cutPoints(archive.count, tail: 300) {
            let error = assertArchiveError(try TarReader(bytes: Array(archive.prefix(cut))).readAllEntries())
            XCTAssertEqual(
                error?.exitStatus, .integrity, "cut at \(cut) of \(archive.count): \(String(describing: error))")
        }
    }

    func testTruncatedUncompressedArchiveIsAlwaysAnError() throws {
        let archive = try sampleArchive(.none)
        // The last 1100 bytes cover the whole end-of-archive marker, which libarchive alone does not require.
        for cut in cutPoints(archive.count, tail: 1100) {
            let error = assertArchiveError(try TarReader(bytes: Array(archive.prefix(cut))).readAllEntries())
            XCTAssertEqual(
                error?.exitStatus, .integrity, "cut at \(cut) of \(archive.count): \(String(describing: error))")
        }
    }

    func testArchiveCutAtAnEntryBoundaryIsTruncated() throws {
        let first = RawTar.entry(name: "a", data: [1, 2, 3])
        let error = assertArchiveError(try TarReader(bytes: first).readAllEntries())
        XCTAssertTrue(error?.message.contains("end-of-archive marker") ?? false, String(describing: error))
        XCTAssertEqual(
            try TarReader(bytes: first + RawTar.end).readAllEntries(), [WrittenEntry(name: "a", data: [1, 2, 3])])
    }

    func testGarbageAndDamagedInputIsCorrupt() throws {
        var zstd = try sampleArchive(.zstd)
        zstd[1] ^= 0xFF  // zstd magic
        var header = try sampleArchive(.none)
        header[3] ^= 0x01  // name byte: header checksum no longer matches
        var secondHeader = try sampleArchive(.none)
        secondHeader[512 + 30_208 + 5] ^= 0x01  // name byte of entry "b"
        let inputs: [(String, [UInt8])] = [
            ("random", TestData.random(100_000, seed: 34)),
            ("text", Array(String(repeating: "not an archive\n", count: 500).utf8)),
            ("zstd magic", zstd),
            ("first header", header),
            ("second header", secondHeader),
            ("empty", []),
        ]
        for (label, bytes) in inputs {
            let error = assertArchiveError(try TarReader(bytes: bytes).readAllEntries())
            guard case .corrupt? = error else {
                XCTFail("\(label): \(String(describing: error))")
                continue
            }
            XCTAssertEqual(error?.exitStatus, .integrity)
        }
    }

    /// libarchive 3.6.2 writes zstd frames without a content checksum, so a flipped bit inside compressed data
    /// can decode to different bytes: detecting that is the manifest's job (SHA-256 / AES-GCM). This sweep
    /// checks the part this layer owns: no crash, and every failure is an ArchiveError.
    func testBitFlipSweepNeverCrashesAndOnlyThrowsArchiveErrors() throws {
        let archive = try makeArchive { try $0.add("a", TestData.compressible(3000, seed: 35)) }
        var detected = 0
        for index in archive.indices {
            var damaged = archive
            damaged[index] ^= 0x10
            do {
                _ = try TarReader(bytes: damaged).readAllEntries()
            } catch is ArchiveError {
                detected += 1
            } catch {
                XCTFail("flip at \(index): non-archive error \(error)")
            }
        }
        XCTAssertGreaterThan(detected, 0)
    }

    func testUnsafeNamesAreRejectedWhenReading() throws {
        let longEscape =
            String(repeating: "deep/", count: 30)
            + "../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../etc/cron.d/x"
        let cases: [(String, [UInt8])] = [
            ("/etc/passwd", RawTar.entry(name: "/etc/passwd", data: [1])),
            ("../x", RawTar.entry(name: "../x", data: [1])),
            ("a/../../b", RawTar.entry(name: "a/../../b", data: [1])),
            (longEscape, RawTar.paxPath(longEscape, data: [1])),
        ]
        for (name, malicious) in cases {
            let bytes = RawTar.entry(name: "fine", data: [7]) + malicious + RawTar.end
            let reader = try TarReader(bytes: bytes)
            XCTAssertEqual(try reader.nextEntry()?.name, "fine")
            let error = assertArchiveError(try reader.nextEntry())
            XCTAssertEqual(error, .unsafeEntryName(name))
            XCTAssertEqual(error?.exitStatus, .integrity)
            XCTAssertEqual(assertArchiveError(try reader.nextEntry()), error, "the reader stays failed")
        }
    }

    func testUnsafeNamesFromPythonTarfileGzip() throws {
        let script = """
            import io, sys, tarfile
            with tarfile.open(fileobj=sys.stdout.buffer, mode="w|gz", format=tarfile.PAX_FORMAT) as t:
                for name in ["ok.txt", "../../evil.txt"]:
                    info = tarfile.TarInfo(name); info.size = 4
                    t.addfile(info, io.BytesIO(b"evil"))
            """
        guard let bytes = try runTool("/usr/bin/python3", ["-c", script], input: []) else {
            throw XCTSkip("python3 missing")
        }
        XCTAssertEqual(Array(bytes.prefix(2)), [0x1F, 0x8B], "gzip")
        let reader = try TarReader(bytes: bytes)
        XCTAssertEqual(try reader.nextEntry()?.name, "ok.txt")
        XCTAssertEqual(try reader.readAll(), Array("evil".utf8))
        XCTAssertEqual(assertArchiveError(try reader.nextEntry()), .unsafeEntryName("../../evil.txt"))
    }

    func testNonRegularEntriesAreRejected() throws {
        let cases: [(String, [UInt8])] = [
            ("symlink", RawTar.entry(name: "link", data: [], type: UInt8(ascii: "2"), linkName: "/etc/passwd")),
            ("hardlink", RawTar.entry(name: "hard", data: [], type: UInt8(ascii: "1"), linkName: "fine")),
            ("directory", RawTar.entry(name: "dir/", data: [], type: UInt8(ascii: "5"))),
        ]
        for (label, entry) in cases {
            let bytes = RawTar.entry(name: "fine", data: [7]) + entry + RawTar.end
            let reader = try TarReader(bytes: bytes)
            XCTAssertEqual(try reader.nextEntry()?.name, "fine")
            let error = assertArchiveError(try reader.nextEntry())
            guard case .corrupt(let detail)? = error else {
                XCTFail("\(label): \(String(describing: error))")
                continue
            }
            XCTAssertTrue(detail.contains("not a regular file"), detail)
        }
    }

    func testStandardUTF8PaxNamesAreRead() throws {
        let name = "base/données/été-\u{1F600}.dump"
        let bytes = RawTar.paxPath(name, data: [5, 6]) + RawTar.end
        let reader = try TarReader(bytes: bytes)
        XCTAssertEqual(try reader.nextEntry()?.name, name)
        XCTAssertEqual(try reader.readAll(), [5, 6])
    }

    func testOurNonASCIINamesAreStandardUTF8Pax() throws {
        let name = "db/données-\u{1F600}.dump"
        let archive = try makeArchive(.none) { try $0.add(name, [1]) }
        let script =
            "import sys, tarfile\nt = tarfile.open(fileobj=sys.stdin.buffer, mode='r|')\nfor m in t:\n    print(m.name, m.pax_headers.get('hdrcharset', 'utf-8'))"
        guard let output = try runTool("/usr/bin/python3", ["-c", script], input: archive) else {
            throw XCTSkip("python3 missing")
        }
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "\(name) utf-8\n")
    }

    func testInputErrorSurfacesUnchanged() throws {
        XCTAssertThrowsError(try TarReader(input: { _ in throw Boom(id: 1) })) {
            XCTAssertEqual($0 as? Boom, Boom(id: 1))
        }

        let archive = try makeArchive { try $0.add("a", TestData.random(600_000, seed: 36)) }
        var served = 0
        let reader = try TarReader(input: { buffer in
            guard served < 300_000 else { throw Boom(id: 2) }
            let count = min(buffer.count, 10_000)
            archive.withUnsafeBytes {
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[served..<served + count]))
            }
            served += count
            return count
        })
        XCTAssertThrowsError(try reader.readAllEntries()) { XCTAssertEqual($0 as? Boom, Boom(id: 2)) }
        XCTAssertThrowsError(try reader.nextEntry()) { XCTAssertEqual($0 as? Boom, Boom(id: 2)) }
    }

    func testInputReturningTooManyBytesIsMisuse() throws {
        let error = assertArchiveError(try TarReader(input: { $0.count + 1 }))
        guard case .misuse? = error else { return XCTFail(String(describing: error)) }
    }

    func testReadWithoutEntryIsMisuse() throws {
        let reader = try TarReader(bytes: try makeArchive { try $0.add("a", [1]) })
        var buffer = [UInt8](repeating: 0, count: 4)
        let error = assertArchiveError(try buffer.withUnsafeMutableBytes { try reader.read(into: $0) })
        guard case .misuse? = error else { return XCTFail(String(describing: error)) }
    }
}
