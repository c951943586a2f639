import Foundation
import XCTest

@testable import Diagnostics

final class FailpointTests: XCTestCase {
    func testParsesActionsAndCounts() throws {
        let armed = try Failpoint.parse(
            "backup.manifest.before=kill, wal.record.after=3*eio,lock.acquire=term,prune.journal.before=stop")
        XCTAssertEqual(armed["backup.manifest.before"], .init(action: .kill, nth: 1))
        XCTAssertEqual(armed["wal.record.after"], .init(action: .eio, nth: 3))
        XCTAssertEqual(armed["lock.acquire"], .init(action: .term, nth: 1))
        XCTAssertEqual(armed["prune.journal.before"], .init(action: .stop, nth: 1))
        XCTAssertEqual(try Failpoint.parse("").count, 0)
    }

    func testRefusesMalformedItems() {
        for bad in ["nothing", "=kill", "a=explode", "a=0*kill", "a=x*kill"] {
            XCTAssertThrowsError(try Failpoint.parse(bad), bad) { error in
                XCTAssertEqual((error as? FailpointError)?.exitStatus, .usage)
            }
        }
    }

    /// Every point reached in Sources/ is documented in docs/faults.md, and every documented point exists.
    func testEveryPointIsDocumented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let whole = try String(contentsOf: root.appendingPathComponent("docs/faults.md"), encoding: .utf8)
        let doc = String(whole[try XCTUnwrap(whole.range(of: "## Points")).lowerBound...])
        let pattern = try NSRegularExpression(pattern: #"Failpoint\.hit\("([a-z0-9_.\-]+)"\)"#)
        var inCode = Set<String>()
        let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent("Sources").path)!
        for case let path as String in enumerator where path.hasSuffix(".swift") {
            let text = try String(
                contentsOf: root.appendingPathComponent("Sources").appendingPathComponent(path), encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                inCode.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        let documented = Set(
            try NSRegularExpression(pattern: #"^\| `([a-z0-9_.\-]+)` \|"#, options: .anchorsMatchLines)
                .matches(in: doc, range: NSRange(doc.startIndex..., in: doc))
                .map { String(doc[Range($0.range(at: 1), in: doc)!]) })
        XCTAssertEqual(inCode.subtracting(documented).sorted(), [String](), "failpoints missing from docs/faults.md")
        XCTAssertEqual(
            documented.subtracting(inCode).sorted(), [String](), "docs/faults.md lists points the code no longer has")
    }
}
