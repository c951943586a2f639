import XCTest

// CheckReportTests: how `lifeboat check` turns its findings into a verdict: warnings and skipped checks pass,
// the first failing check's own exit status is the run's, and later failures do not change it.
@testable import Engine

final class CheckReportTests: XCTestCase {
    struct Refusal: LifeboatError {
        let exitStatus: ExitStatus
        var message: String { "refused" }
        var hint: String? { "do something else" }
    }

    struct PlainError: Error {}

    func testWarningsAndSkippedChecksPass() {
        var report = CheckReport(items: [])
        XCTAssertTrue(report.record("postgresql") { "reachable" })
        XCTAssertTrue(report.recordFinding("policy") { ArchiveFinding(.warning, "no policy", hint: "add one") })
        report.skip("wal switch", "the repository or key check failed")
        XCTAssertEqual(report.verdict, .passed)
        XCTAssertEqual(report.items.map(\.ok), [true, true, true])
        XCTAssertEqual(report.items[1].warning, true)
        XCTAssertEqual(report.items[1].hint, "add one")
        XCTAssertEqual(report.items[2].skipped, true)
        XCTAssertEqual(report.items[2].detail, "skipped: the repository or key check failed")
    }

    func testFirstFailureDecidesTheVerdict() {
        var report = CheckReport(items: [])
        XCTAssertFalse(report.record("key") { throw Refusal(exitStatus: .integrity) })
        XCTAssertFalse(report.record("repository") { throw Refusal(exitStatus: .locked) })
        XCTAssertEqual(report.verdict, .error(.integrity))
        XCTAssertEqual(report.items[0].detail, "refused")
        XCTAssertEqual(report.items[0].hint, "do something else")
    }

    func testAnErrorWithoutStatusIsAFailure() {
        var report = CheckReport(items: [])
        report.record("client tools") { throw PlainError() }
        XCTAssertEqual(report.verdict, .error(.failure))
        XCTAssertNil(report.items[0].hint)
    }
}
