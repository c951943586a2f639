// EntryCopier on a real file system: every byte lands at its offset whatever sizes the reader hands over, a large
// file is written directly (its bulk bypasses the page cache) and its unaligned tail through the page cache, and
// small files or `direct: false` never ask for direct I/O.
import Storage
import TestSupport
import XCTest

@testable import Engine

final class EntryCopierTests: XCTestCase {
    /// A reader of `bytes` in pieces of at most `piece` bytes, as a tar reader hands them over.
    private func reader(_ bytes: [UInt8], piece: Int) -> (UnsafeMutableRawBufferPointer) throws -> Int {
        var position = 0
        return { buffer in
            let count = min(piece, buffer.count, bytes.count - position)
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[position..<position + count]))
            }
            position += count
            return count
        }
    }

    private func copy(size: Int, direct: Bool, piece: Int) throws -> (bytes: [UInt8], written: [UInt8], wasDirect: Bool)
    {
        // Under the build directory: a disk file system (the system's temporary directory may be tmpfs).
        let path = FileManager.default.currentDirectoryPath + "/.build/lifeboat-copier-\(UUID().uuidString)"
        let directory = try DirectoryHandle.open(path, create: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
        let file = try directory.createFile("entry")
        var advanced = 0
        let copied = try EntryCopier(direct: direct).copy(
            size: Int64(size), into: file, read: reader(bytes, piece: piece), advance: { advanced += $0 })
        let wasDirect = file.isDirect
        XCTAssertEqual(copied, Int64(size))
        XCTAssertEqual(advanced, size, "progress hears of every byte")
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/entry")))
        return (bytes, written, wasDirect)
    }

    func testEveryByteLandsWhateverTheSizesAndPieces() throws {
        let mib = 1 << 20
        for size in [0, 100, mib - 1, mib, 3 * mib + 100, 2 * mib + 3 * 4096] {
            for piece in [7001, mib] {
                for direct in [true, false] {
                    let result = try copy(size: size, direct: direct, piece: piece)
                    XCTAssertEqual(result.written.count, size, "size \(size), piece \(piece), direct \(direct)")
                    XCTAssertTrue(result.written == result.bytes, "size \(size), piece \(piece), direct \(direct)")
                }
            }
        }
    }

    /// Direct I/O is asked for exactly when it pays: a large file with `direct`; an aligned one stays direct to its
    /// end, an unaligned tail turns it off.
    func testOnlyLargeFilesAreWrittenDirectly() throws {
        let mib = 1 << 20
        XCTAssertTrue(try copy(size: 2 * mib, direct: true, piece: 7001).wasDirect)
        XCTAssertFalse(try copy(size: 2 * mib + 100, direct: true, piece: 7001).wasDirect, "the tail is buffered")
        XCTAssertFalse(try copy(size: 2 * mib, direct: false, piece: 7001).wasDirect)
        XCTAssertFalse(try copy(size: mib - 4096, direct: true, piece: 7001).wasDirect, "small files: page cache")
    }
}
