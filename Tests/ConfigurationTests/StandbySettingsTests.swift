// postgres.standby_url, postgres.standby_max_lag and backup.from_standby: the standby is only used when asked for,
// its URL's password never shows, and a lag limit is a duration or a size, never a bare number.
import XCTest

@testable import Configuration

final class StandbySettingsTests: XCTestCase {
    static let standby = """
        cluster: main
        postgres:
          url: postgresql://postgres@primary/postgres
          standby_url: postgresql://backup:s3cret@standby:5433/postgres
        %@
        repository:
          url: file:///var/backups/lifeboat
        encryption:
          passphrase_env: LIFEBOAT_PASSPHRASE
        %@
        """

    static func yaml(postgres: String = "", backup: String = "") -> String {
        standby.replacingOccurrences(of: "%@\nrepository", with: postgres + "\nrepository")
            .replacingOccurrences(of: "%@", with: backup)
    }

    func testAbsentByDefaultAndNotUsedUnlessAsked() throws {
        let plain = try Fixture.parse(Fixture.minimal)
        XCTAssertNil(plain.postgres.standbyURL)
        XCTAssertEqual(plain.postgres.standbyMaxLag, .seconds(300))
        XCTAssertFalse(plain.backup.fromStandby)
        let config = try Fixture.parse(Self.yaml())
        XCTAssertEqual(config.postgres.standbyURL, "postgresql://backup:s3cret@standby:5433/postgres")
        XCTAssertFalse(config.backup.fromStandby, "a configured standby_url alone does not move backups")
        XCTAssertTrue(try Fixture.parse(Self.yaml(backup: "backup: { from_standby: true }")).backup.fromStandby)
    }

    func testLagLimitIsADurationOrASize() throws {
        for (text, limit) in [
            ("30s", StandbyLagLimit.seconds(30)), ("5m", .seconds(300)), ("1h30m", .seconds(5400)),
            ("64MiB", .bytes(64 << 20)), ("1GiB", .bytes(1 << 30)), ("512 KiB", .bytes(512 << 10)),
        ] {
            let config = try Fixture.parse(Self.yaml(postgres: "  standby_max_lag: \(text)"))
            XCTAssertEqual(config.postgres.standbyMaxLag, limit, text)
            XCTAssertEqual(StandbyLagLimit.parse(limit.description), limit, "\(limit) reads back")
        }
    }

    func testBareNumbersAndOtherWordsAreRefusedWithTheForms() {
        for text in ["300", "5 minutes", "64MB", "fast"] {
            let error = Fixture.error(Self.yaml(postgres: "  standby_max_lag: \(text)"))
            guard case .invalidValue(let key, _, _, let accepted, _)? = error else {
                return XCTFail("\(text): \(String(describing: error))")
            }
            XCTAssertEqual(key, "postgres.standby_max_lag")
            XCTAssertEqual(accepted, StandbyLagLimit.acceptedForms)
        }
    }

    func testLagAndFromStandbyNeedAStandbyURL() {
        let lag = Fixture.error(
            Fixture.minimal.replacingOccurrences(
                of: "url: postgresql://postgres@127.0.0.1/postgres",
                with: "url: postgresql://postgres@127.0.0.1/postgres\n  standby_max_lag: 5m"))
        guard case .invalidValue(key: "postgres.standby_max_lag", _, _, _, _)? = lag else {
            return XCTFail(String(describing: lag))
        }
        let from = Fixture.error(Fixture.minimal + "backup: { type: snapshot, from_standby: true }\n")
        guard case .invalidValue(key: "backup.from_standby", _, _, _, let hint)? = from else {
            return XCTFail(String(describing: from))
        }
        XCTAssertTrue(hint?.contains("standby_url") == true, hint ?? "no hint")
    }

    func testTheStandbyPasswordNeverShows() throws {
        let config = try Fixture.parse(Self.yaml())
        let encoded = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        for text in [encoded, "\(config)", "\(config.postgres)", String(reflecting: config.postgres)] {
            XCTAssertFalse(text.contains("s3cret"), text)
        }
        XCTAssertTrue(encoded.contains(#""standby_url":"postgresql:\/\/backup:***@standby:5433\/postgres""#), encoded)
    }
}
