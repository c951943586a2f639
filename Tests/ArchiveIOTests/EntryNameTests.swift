// EntryName rules and ArchiveError presentation.
import ArchiveIO
import Diagnostics
import XCTest

final class EntryNameTests: XCTestCase {
    func testSafeNames() {
        for name in ["a", "a/b", "a..b", "..a", "a..", "a/.../b", "./a", "db.dump.000000", "données/été"] {
            XCTAssertNoThrow(try EntryName.validate(name), name)
        }
    }

    func testUnsafeNames() {
        for name in ["", "/", "/etc/passwd", "..", "../x", "a/..", "a/../../b", "a/../b", "x/\u{0}", "a\u{0}b"] {
            XCTAssertEqual(assertArchiveError(try EntryName.validate(name)), .unsafeEntryName(name), name)
        }
    }

    func testMessagesAreLowerCaseQuotedAndEscapeControlCharacters() {
        let errors: [ArchiveError] = [
            .libarchive(operation: "enable zstd compression", detail: "boom"),
            .corrupt("truncated"),
            .sizeMismatch(entry: "e", declared: 10, written: 4),
            .unsafeEntryName("evil\n\u{1B}[31mred"),
            .misuse("oops"),
        ]
        for error in errors {
            XCTAssertEqual(error.message.first?.isLowercase, true, error.message)
            XCTAssertNotNil(error.hint)
            XCTAssertFalse(error.message.contains("\n"), error.message)
            XCTAssertFalse(error.message.contains("\u{1B}"), error.message)
            XCTAssertTrue(error.description.contains("HINT: "))
        }
        XCTAssertTrue(errors[3].message.contains("'evil\\u{a}\\u{1b}[31mred'"), errors[3].message)
        XCTAssertEqual(errors[2].message, "tar entry 'e' was declared as '10' bytes but '4' bytes were written")
        XCTAssertEqual(errors.map(\.exitStatus), [.failure, .integrity, .failure, .integrity, .failure])
    }
}
