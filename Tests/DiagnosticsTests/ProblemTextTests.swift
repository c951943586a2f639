import XCTest

@testable import Diagnostics

final class ProblemTextTests: XCTestCase {
    struct Hinted: LifeboatError {
        var exitStatus: ExitStatus { .integrity }
        var message: String { "object 'a' is damaged" }
        var hint: String? { "run verify" }
    }

    struct Foreign: Error, CustomStringConvertible {
        var description: String { "a foreign error" }
    }

    func testALifeboatErrorIsNamedByItsMessageWithoutTheHint() {
        XCTAssertEqual(ProblemText.of(Hinted()), "object 'a' is damaged")
    }

    func testAnyOtherErrorAsSwiftDescribesIt() {
        XCTAssertEqual(ProblemText.of(Foreign()), "a foreign error")
    }
}
