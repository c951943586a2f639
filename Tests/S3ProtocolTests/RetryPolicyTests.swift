// RetryPolicyTests: backoff bounds and growth, and the transient/permanent classification table.
import Foundation
import XCTest

@testable import S3Protocol

final class RetryPolicyTests: XCTestCase {
    func testKnownDelays() {
        XCTAssertEqual(RetryPolicy.delay(attempt: 0, random: 0), 0)
        XCTAssertEqual(RetryPolicy.delay(attempt: 0, random: 0.5), 0.1, accuracy: 1e-12)
        XCTAssertEqual(RetryPolicy.delay(attempt: 3, random: 0.5), 0.8, accuracy: 1e-12)
        XCTAssertEqual(RetryPolicy.delay(attempt: 2, base: 1, cap: 100, random: 0.25), 1, accuracy: 1e-12)
        XCTAssertEqual(RetryPolicy.delay(attempt: 10, random: 0.5), 10, accuracy: 1e-12)  // capped at 20
    }

    func testDelayStaysWithinZeroAndTheCeiling() {
        let randoms: [Double] = [0, 1e-9, 0.25, 0.5, 0.999_999_999, 1, 1.5, -0.5, .nan, .infinity]
        for attempt in [-5, 0, 1, 2, 5, 7, 8, 20, 63, 64, 1023, 1024, 100_000, Int.max] {
            let ceiling = RetryPolicy.ceilingDelay(attempt: attempt)
            for random in randoms {
                let delay = RetryPolicy.delay(attempt: attempt, random: random)
                XCTAssertTrue(delay.isFinite, "attempt \(attempt) random \(random)")
                XCTAssertGreaterThanOrEqual(delay, 0, "attempt \(attempt) random \(random)")
                XCTAssertLessThan(delay, 20, "attempt \(attempt) random \(random)")
                if ceiling > 0 { XCTAssertLessThan(delay, ceiling, "attempt \(attempt) random \(random)") }
            }
        }
    }

    func testCeilingDoublesUntilTheCapAndNeverShrinks() {
        XCTAssertEqual(RetryPolicy.ceilingDelay(attempt: 0), 0.2, accuracy: 1e-12)
        XCTAssertEqual(RetryPolicy.ceilingDelay(attempt: 1), 0.4, accuracy: 1e-12)
        XCTAssertEqual(RetryPolicy.ceilingDelay(attempt: 6), 12.8, accuracy: 1e-12)
        XCTAssertEqual(RetryPolicy.ceilingDelay(attempt: 7), 20)
        XCTAssertEqual(RetryPolicy.ceilingDelay(attempt: Int.max), 20)
        XCTAssertEqual(RetryPolicy.ceilingDelay(attempt: -3), 0.2, accuracy: 1e-12)
        var previous = 0.0
        for attempt in 0...2_000 {
            let ceiling = RetryPolicy.ceilingDelay(attempt: attempt)
            XCTAssertGreaterThanOrEqual(ceiling, previous, "attempt \(attempt)")
            XCTAssertLessThanOrEqual(ceiling, 20, "attempt \(attempt)")
            previous = ceiling
        }
    }

    func testFullJitterIsLinearInRandom() {
        for attempt in 0...10 {
            let ceiling = RetryPolicy.ceilingDelay(attempt: attempt)
            for random in stride(from: 0.0, to: 1.0, by: 0.125) {
                XCTAssertEqual(RetryPolicy.delay(attempt: attempt, random: random), ceiling * random, accuracy: 1e-12)
            }
        }
    }

    func testClassificationTable() {
        let table: [(status: Int, code: String?, transient: Bool)] = [
            (429, nil, true), (500, nil, true), (502, nil, true), (503, nil, true), (504, nil, true),
            (503, "SlowDown", true), (400, "RequestTimeout", true), (500, "InternalError", true),
            (503, "ServiceUnavailable", true), (200, "InternalError", true), (200, "SlowDown", true),
            (400, "Throttling", true),
            (403, "RequestTimeTooSkewed", false), (503, "RequestTimeTooSkewed", false),
            (400, nil, false), (403, nil, false), (404, nil, false), (403, "AccessDenied", false),
            (403, "SignatureDoesNotMatch", false), (404, "NoSuchKey", false), (404, "NoSuchBucket", false),
            (301, "PermanentRedirect", false), (400, "AuthorizationHeaderMalformed", false),
            (403, "InvalidObjectState", false), (400, "EntityTooSmall", false), (501, "NotImplemented", false),
            (200, nil, false), (409, "OperationAborted", false), (0, nil, false),
        ]
        for row in table {
            XCTAssertEqual(
                RetryPolicy.isTransient(status: row.status, code: row.code), row.transient,
                "status \(row.status) code \(row.code ?? "nil")")
        }
    }
}
