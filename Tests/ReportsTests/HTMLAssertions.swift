// HTMLAssertions: checks the HTML renderings share (the single and the fleet report): balanced markup.
import Foundation
import XCTest

extension XCTestCase {
    /// Every opened element is closed in order; void and self-closed elements need no end tag.
    func assertBalanced(_ html: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let void: Set<String> = ["meta", "br", "hr", "img", "input", "link", "!doctype"]
        let regex = try NSRegularExpression(pattern: "<(/?)([A-Za-z!][A-Za-z0-9-]*)[^>]*?(/?)>")
        var stack: [String] = []
        let range = NSRange(html.startIndex..., in: html)
        for match in regex.matches(in: html, range: range) {
            let closing = Range(match.range(at: 1), in: html).map { !html[$0].isEmpty } ?? false
            let name = Range(match.range(at: 2), in: html).map { html[$0].lowercased() } ?? ""
            let selfClosed = Range(match.range(at: 3), in: html).map { !html[$0].isEmpty } ?? false
            if void.contains(name) || selfClosed { continue }
            if closing {
                guard stack.last == name else {
                    return XCTFail("</\(name)> closes <\(stack.last ?? "nothing")>", file: file, line: line)
                }
                stack.removeLast()
            } else {
                stack.append(name)
            }
        }
        XCTAssertEqual(stack, [], "unclosed elements", file: file, line: line)
    }
}
