// TarWriter failure behaviour: declared sizes enforced, output errors surface unchanged, misuse rejected.
import ArchiveIO
import Diagnostics
import Foundation
import XCTest

struct Boom: Error, Equatable {
    let id: Int
}

final class WriterErrorTests: XCTestCase {
    private func assertSizeMismatch(
        _ error: ArchiveError?, declared: Int64, written: Int64, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard case .sizeMismatch(let entry, let d, let w)? = error else {
            return XCTFail("expected sizeMismatch, got \(String(describing: error))", file: file, line: line)
        }
        XCTAssertEqual(entry, "e", file: file, line: line)
        XCTAssertEqual(d, declared, file: file, line: line)
        XCTAssertEqual(w, written, file: file, line: line)
    }

    func testWritingMoreThanDeclaredThrowsAndPoisonsTheWriter() throws {
        let writer = try TarWriter(output: { _ in })
        try writer.beginEntry(name: "e", size: 10)
        try [UInt8](repeating: 1, count: 6).withUnsafeBytes { try writer.write($0) }
        let error = assertArchiveError(try [UInt8](repeating: 1, count: 6).withUnsafeBytes { try writer.write($0) })
        assertSizeMismatch(error, declared: 10, written: 12)
        XCTAssertEqual(writer.bytesIn, 6, "the oversized write wrote nothing")
        assertSizeMismatch(assertArchiveError(try writer.close()), declared: 10, written: 12)
    }

    func testShortEntryThrowsOnFinishCloseAndNextEntry() throws {
        for ending in ["finish", "close", "begin"] {
            let writer = try TarWriter(compression: .none, output: { _ in })
            try writer.beginEntry(name: "e", size: 10)
            try [UInt8](repeating: 1, count: 4).withUnsafeBytes { try writer.write($0) }
            let error: ArchiveError?
            switch ending {
            case "finish": error = assertArchiveError(try writer.finishEntry())
            case "close": error = assertArchiveError(try writer.close())
            default: error = assertArchiveError(try writer.beginEntry(name: "next", size: 0))
            }
            assertSizeMismatch(error, declared: 10, written: 4)
            XCTAssertEqual(error?.exitStatus, .failure)
        }
    }

    func testOutputErrorSurfacesUnchangedFromWrite() throws {
        var calls = 0
        let writer = try TarWriter(
            compression: .none,
            output: { _ in
                calls += 1
                if calls == 3 { throw Boom(id: 42) }
            })
        let data = TestData.random(1 << 20, seed: 21)
        try writer.beginEntry(name: "big", size: Int64(data.count))
        XCTAssertThrowsError(try data.withUnsafeBytes { try writer.write($0) }) {
            XCTAssertEqual($0 as? Boom, Boom(id: 42))
        }
        XCTAssertThrowsError(try writer.close()) {
            XCTAssertEqual($0 as? Boom, Boom(id: 42), "later calls rethrow the original")
        }
        XCTAssertEqual(calls, 3, "output is never called again after it threw")
    }

    func testOutputErrorSurfacesUnchangedFromClose() throws {
        // zstd holds small inputs until close, so the first output call happens inside close().
        var calls = 0
        let writer = try TarWriter(
            compression: .zstd,
            output: { _ in
                calls += 1
                throw Boom(id: 7)
            })
        try writer.add("small", [1, 2, 3])
        XCTAssertEqual(calls, 0)
        XCTAssertThrowsError(try writer.close()) { XCTAssertEqual($0 as? Boom, Boom(id: 7)) }
        XCTAssertThrowsError(try writer.close()) { XCTAssertEqual($0 as? Boom, Boom(id: 7)) }
        XCTAssertEqual(calls, 1)
    }

    func testOutputErrorWithZstdThreads() throws {
        var calls = 0
        let writer = try TarWriter(
            compression: .zstd, threads: 2,
            output: { _ in
                calls += 1
                throw Boom(id: 9)
            })
        let data = TestData.random(8 << 20, seed: 22)
        let error: (any Error)? = {
            do {
                try writer.add("big", data)
                try writer.close()
                return nil
            } catch {
                return error
            }
        }()
        XCTAssertEqual(error as? Boom, Boom(id: 9))
        XCTAssertEqual(calls, 1)
    }

    func testDroppedWriterWritesNothingMoreAndItsOutputIsRejected() throws {
        let sink = ByteSink()
        do {
            let writer = try TarWriter(compression: .none, output: sink.append)
            try writer.add("a", TestData.random(200_000, seed: 23))
        }
        XCTAssertEqual(sink.bytes.count % (64 << 10), 0, "only whole blocks were flushed; no end marker on drop")
        XCTAssertGreaterThan(sink.bytes.count, 0)
        XCTAssertNotNil(assertArchiveError(try TarReader(bytes: sink.bytes).readAllEntries()))
    }

    func testMisuseIsRejected() throws {
        let writer = try TarWriter(output: { _ in })
        if case .misuse? = assertArchiveError(
            try [UInt8](repeating: 0, count: 1).withUnsafeBytes { try writer.write($0) })
        {
        } else {
            XCTFail()
        }
        let second = try TarWriter(output: { _ in })
        if case .misuse? = assertArchiveError(try second.finishEntry()) {} else { XCTFail() }
        let third = try TarWriter(output: { _ in })
        if case .misuse? = assertArchiveError(try third.beginEntry(name: "n", size: -1)) {} else { XCTFail() }
        let badTime = try TarWriter(output: { _ in })
        if case .misuse? = assertArchiveError(
            try badTime.beginEntry(name: "t", size: 0, modificationTime: Date(timeIntervalSince1970: .infinity)))
        {
        } else {
            XCTFail()
        }
        let fourth = try TarWriter(output: { _ in })
        try fourth.close()
        try fourth.close()
        if case .misuse? = assertArchiveError(try fourth.beginEntry(name: "late", size: 0)) {} else { XCTFail() }
    }

    func testUnsafeNamesAreRejectedWhenWriting() throws {
        for name in ["/etc/passwd", "../x", "a/../../b", "", "a\u{0}b", ".."] {
            let sink = ByteSink()
            let writer = try TarWriter(compression: .none, output: sink.append)
            let error = assertArchiveError(try writer.beginEntry(name: name, size: 0))
            XCTAssertEqual(error, .unsafeEntryName(name))
            XCTAssertEqual(error?.exitStatus, .integrity)
            XCTAssertTrue(sink.bytes.isEmpty)
        }
    }

    func testZeroByteWritesAndEmptyBuffersAreHarmless() throws {
        let archive = try makeArchive { writer in
            try writer.beginEntry(name: "e", size: 2)
            try writer.write(UnsafeRawBufferPointer(start: nil, count: 0))
            try [UInt8]([1, 2]).withUnsafeBytes { try writer.write($0) }
            try writer.write(UnsafeRawBufferPointer(start: nil, count: 0))
            try writer.finishEntry()
        }
        XCTAssertEqual(try TarReader(bytes: archive).readAllEntries(), [WrittenEntry(name: "e", data: [1, 2])])
    }
}

extension ArchiveError: Equatable {
    public static func == (lhs: ArchiveError, rhs: ArchiveError) -> Bool {
        lhs.message == rhs.message
    }
}
