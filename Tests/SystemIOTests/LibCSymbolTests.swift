// LibCSymbol: a present libc function is found and callable through the caller's type; an absent one is nil, so
// the caller takes its slower path instead of crashing.
import XCTest

@testable import SystemIO

#if canImport(Glibc)
import Glibc

final class LibCSymbolTests: XCTestCase {
    func testAPresentFunctionIsFoundAndCallable() throws {
        let strlenCall: (@convention(c) (UnsafePointer<CChar>) -> Int)? = LibCSymbol.lookup("strlen")
        let call = try XCTUnwrap(strlenCall)
        XCTAssertEqual("lifeboat".withCString { call($0) }, 8)
    }

    func testAnAbsentFunctionIsNil() {
        let missing: (@convention(c) () -> Int32)? = LibCSymbol.lookup("lifeboat_no_such_function")
        XCTAssertNil(missing)
    }
}
#endif
