import Catalog
import XCTest

final class ScryptCostTests: XCTestCase {
    func testWhatLifeboatWritesIsTheCap() {
        XCTAssertEqual(ScryptCost.written, ScryptCost(n: 1 << 17, r: 8, p: 1))
        XCTAssertEqual(ScryptCost.cap, ScryptCost.written)
        XCTAssertTrue(ScryptCost.written.isWithinCap)
        XCTAssertEqual(ScryptCost.written.memoryBytes, 128 * 8 * (1 << 17) + 128 * 8, "128 MiB for V plus B")
    }

    func testAnyParameterAboveTheCapIsRefused() {
        for costly in [
            ScryptCost(n: 1 << 18, r: 8, p: 1), ScryptCost(n: 1 << 17, r: 9, p: 1), ScryptCost(n: 1 << 17, r: 8, p: 2),
            ScryptCost(n: 1 << 22, r: 32, p: 16), ScryptCost(n: .max, r: .max, p: .max),
        ] {
            XCTAssertFalse(costly.isWithinCap, "\(costly)")
        }
        XCTAssertEqual(
            ScryptCost(n: 1 << 22, r: 32, p: 1).memoryBytes, 16 << 30 + 128 * 32, "the old limit cost 16 GiB per try")
        XCTAssertEqual(ScryptCost(n: .max, r: .max, p: 1).memoryBytes, .max, "saturates instead of overflowing")
    }

    func testCheaperSlotsAreWithinTheCap() {
        XCTAssertTrue(ScryptCost(n: 1 << 14, r: 8, p: 1).isWithinCap)
        XCTAssertTrue(ScryptCost(n: 2, r: 1, p: 1).isWithinCap)
    }

    func testOnlyCompleteScryptDerivationsHaveACost() {
        XCTAssertEqual(KeyDerivation(algorithm: "scrypt", salt: "", n: 1 << 17, r: 8, p: 1).scryptCost, .written)
        XCTAssertNil(KeyDerivation(algorithm: "scrypt", salt: "", n: 1 << 17, r: nil, p: 1).scryptCost)
        XCTAssertNil(KeyDerivation(algorithm: "hkdf-sha256", salt: "", n: 1 << 17, r: 8, p: 1).scryptCost)
    }
}
