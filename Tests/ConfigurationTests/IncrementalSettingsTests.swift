import Configuration
import XCTest

final class IncrementalSettingsTests: XCTestCase {
    func testAbsentEmptyAndExplicit() throws {
        XCTAssertNil(try Fixture.parse(Fixture.minimal).backup.incremental, "no section: snapshots stay full")
        XCTAssertEqual(
            try Fixture.parse(Fixture.minimal + "backup: { incremental: {} }\n").backup.incremental,
            IncrementalSettings(fullEvery: 7 * 86400, maxChain: 14))
        XCTAssertEqual(
            try Fixture.parse(Fixture.minimal + "backup: { incremental: { full_every: 1d, max_chain: 3 } }\n").backup
                .incremental,
            IncrementalSettings(fullEvery: 86400, maxChain: 3))
    }

    func testBadValuesNameTheKey() {
        for (yaml, key) in [
            ("backup: { incremental: { max_chain: 0 } }", "backup.incremental.max_chain"),
            ("backup: { incremental: { full_every: soon } }", "backup.incremental.full_every"),
        ] {
            XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + yaml + "\n"), yaml) { error in
                guard case ConfigError.invalidValue(key: key, _, _, _, _) = error else { return XCTFail("\(error)") }
            }
        }
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "backup: { incremental: { max_chains: 3 } }\n"))
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "backup: { incremental: yes }\n"))
    }
}
