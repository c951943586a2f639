// DurationText without a policy file: the duration grammar the loaders and the plan texts share.
import Foundation
import Policy
import XCTest

final class DurationTextTests: XCTestCase {
    func testParse() {
        let cases: [(String, TimeInterval?)] = [
            ("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("7d", 604_800), ("2w", 1_209_600),
            ("1d12h", 129_600), ("0s", 0), ("", nil), ("15", nil), ("15 m", nil), ("m", nil), ("1.5h", nil),
            ("30m1h", nil), ("1h1h", nil), ("12mo", nil), ("1y", nil), ("15M", nil), ("-1d", nil),
            ("99999999999999999999d", nil),
        ]
        for (text, seconds) in cases {
            XCTAssertEqual(DurationText.parse(text), seconds, text)
        }
    }

    func testFormatIsTheShortestSpellingWithoutWeeks() {
        XCTAssertEqual(DurationText.format(86_400), "1d")
        XCTAssertEqual(DurationText.format(604_800), "7d")
        XCTAssertEqual(DurationText.format(5400), "1h30m")
        XCTAssertEqual(DurationText.format(90_061), "1d1h1m1s")
        XCTAssertEqual(DurationText.format(0), "0s")
        XCTAssertEqual(DurationText.format(-5), "0s")
    }

    func testFormattedDurationsParseBack() {
        for seconds: TimeInterval in [1, 59, 60, 3599, 3600, 86_399, 86_400, 604_800, 31_536_000] {
            XCTAssertEqual(DurationText.parse(DurationText.format(seconds)), seconds, "\(seconds)")
        }
    }

    func testCalendarUnitsAreRecognisedToExplainTheRefusal() {
        for text in ["12mo", "1y", "3 months", "1Y", "2M", "5yr"] {
            XCTAssertTrue(DurationText.usesCalendarUnit(text), text)
        }
        for text in ["15m", "7d", "mo", "", "1w"] {
            XCTAssertFalse(DurationText.usesCalendarUnit(text), text)
        }
        XCTAssertTrue(DurationText.calendarUnitHint.contains("monthly: 12"))
    }
}
