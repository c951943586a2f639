// Size strings: binary units and plain byte counts only.
import XCTest

@testable import Configuration

final class ByteSizeTests: XCTestCase {
    func testAcceptedForms() {
        XCTAssertEqual(ByteSize.parse("16MiB"), 16_777_216)
        XCTAssertEqual(ByteSize.parse("16 MiB"), 16_777_216)
        XCTAssertEqual(ByteSize.parse("16mib"), 16_777_216)
        XCTAssertEqual(ByteSize.parse("512KiB"), 524_288)
        XCTAssertEqual(ByteSize.parse("2GiB"), 2_147_483_648)
        XCTAssertEqual(ByteSize.parse("1048576"), 1_048_576)
        XCTAssertEqual(ByteSize.parse(" 7 "), 7)
    }

    func testRefusedForms() {
        for text in [
            "", "MiB", "5MB", "5M", "5 m", "1.5MiB", "-1", "+1", "16MiB!", "1TiB", "0x10", "٣MiB",
            "99999999999999999999",
            "9999999999999GiB",
        ] {
            XCTAssertNil(ByteSize.parse(text), text)
        }
    }

    func testFormat() {
        XCTAssertEqual(ByteSize.format(16 << 20), "16MiB")
        XCTAssertEqual(ByteSize.format(3 << 30), "3GiB")
        XCTAssertEqual(ByteSize.format(1536), "1536")
        XCTAssertEqual(ByteSize.format(2048), "2KiB")
        XCTAssertEqual(ByteSize.format(1000), "1000")
        XCTAssertEqual(ByteSize.format(0), "0")
        for bytes in [1, 1024, 5 << 20, 5 << 30] {
            XCTAssertEqual(ByteSize.parse(ByteSize.format(bytes)), bytes)
        }
    }
}
