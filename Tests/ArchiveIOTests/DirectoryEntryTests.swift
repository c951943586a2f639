// TarReader's opt-in for directory entries (pg_basebackup tars have them): off by default; when on,
// directories come out with isDirectory, size 0 and no trailing slash, while links stay refused and names
// are still validated.
import ArchiveIO
import Foundation
import XCTest

final class DirectoryEntryTests: XCTestCase {
    private func reader(_ bytes: [UInt8], allowDirectories: Bool) throws -> TarReader {
        let source = ChunkedSource(bytes, seed: 41, maxPiece: 700)
        return try TarReader(input: source.fill, allowDirectories: allowDirectories)
    }

    func testDirectoriesAreRefusedByDefault() throws {
        let bytes = RawTar.entry(name: "pg_wal/", data: [], type: UInt8(ascii: "5")) + RawTar.end
        let error = assertArchiveError(try reader(bytes, allowDirectories: false).nextEntry())
        guard case .corrupt(let detail)? = error else { return XCTFail(String(describing: error)) }
        XCTAssertTrue(detail.contains("not a regular file"), detail)
    }

    func testDirectoriesAndFilesWhenAllowed() throws {
        let bytes =
            RawTar.entry(name: "base/", data: [], type: UInt8(ascii: "5"))
            + RawTar.entry(name: "base/1/", data: [], type: UInt8(ascii: "5"))
            + RawTar.entry(name: "base/1/1259", data: [1, 2, 3])
            + RawTar.entry(name: "pg_wal/", data: [], type: UInt8(ascii: "5"))
            + RawTar.end
        let tar = try reader(bytes, allowDirectories: true)
        var seen: [(String, Bool, [UInt8])] = []
        while let entry = try tar.nextEntry() {
            seen.append((entry.name, entry.isDirectory, try tar.readAll()))
            if entry.isDirectory { XCTAssertEqual(entry.size, 0) }
        }
        XCTAssertEqual(seen.map(\.0), ["base", "base/1", "base/1/1259", "pg_wal"])
        XCTAssertEqual(seen.map(\.1), [true, true, false, true])
        XCTAssertEqual(seen[2].2, [1, 2, 3])
    }

    func testLinksAndUnsafeNamesStayRefusedWithDirectoriesAllowed() throws {
        let cases: [(String, [UInt8], String)] = [
            (
                "symlink", RawTar.entry(name: "pg_tblspc/16384", data: [], type: UInt8(ascii: "2"), linkName: "/etc"),
                "not a regular file"
            ),
            (
                "hardlink", RawTar.entry(name: "hard", data: [], type: UInt8(ascii: "1"), linkName: "fine"),
                "not a regular file"
            ),
        ]
        for (label, entry, expected) in cases {
            let tar = try reader(
                RawTar.entry(name: "fine/", data: [], type: UInt8(ascii: "5")) + entry + RawTar.end,
                allowDirectories: true)
            XCTAssertEqual(try tar.nextEntry()?.isDirectory, true)
            let error = assertArchiveError(try tar.nextEntry())
            guard case .corrupt(let detail)? = error else {
                XCTFail("\(label): \(String(describing: error))")
                continue
            }
            XCTAssertTrue(detail.contains(expected), detail)
        }
        let escaping = RawTar.entry(name: "../escape/", data: [], type: UInt8(ascii: "5")) + RawTar.end
        XCTAssertEqual(
            assertArchiveError(try reader(escaping, allowDirectories: true).nextEntry()), .unsafeEntryName("../escape/")
        )
    }
}
