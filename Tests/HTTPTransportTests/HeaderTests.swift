// The headers on the wire: exactly the caller's, plus only the ones the transport documents (Host,
// User-Agent, Accept, Content-Length and Expect on uploads), and invalid headers refused before sending.
import Foundation
import HTTPTransport
import XCTest

final class HeaderTests: ServerTestCase {
    private let callerHeaders: [(name: String, value: String)] = [
        ("x-amz-date", "20260101T000000Z"),
        ("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"),
        ("x-amz-meta-empty", ""),
        ("x-amz-meta-blank", "  "),
        ("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/s3/aws4_request, Signature=abc"),
        ("x-amz-meta-note", "a:b;c  d"),
    ]

    func testGetSendsCallerHeadersInOrderPlusOnlyPredictableOnes() throws {
        let echo = try echo(HTTPRequest(method: .get, url: url("/echo"), headers: callerHeaders))
        XCTAssertEqual(echo.headerNames, ["Host", "User-Agent", "Accept"] + callerHeaders.map(\.name))
        XCTAssertEqual(
            Array(echo.headers.suffix(callerHeaders.count)).map { $0[1] },
            callerHeaders.map { $0.value.allSatisfy { $0 == " " } ? "" : $0.value })
        XCTAssertEqual(echo.values("host"), ["127.0.0.1:\(server.port)"])
        XCTAssertEqual(echo.values("user-agent"), [HTTPClient.userAgent])
        XCTAssertEqual(echo.values("user-agent"), ["lifeboat/0.1"])
        XCTAssertEqual(echo.values("accept"), ["*/*"])
    }

    func testUploadAddsOnlyContentLengthAndExpect() throws {
        let body = [UInt8](repeating: 7, count: 3000)
        let echo = try echo(HTTPRequest(method: .put, url: url("/echo"), headers: callerHeaders, body: .bytes(body)))
        let callerNames = Set(callerHeaders.map { $0.name.lowercased() })
        let callerSent = echo.headerNames.filter { callerNames.contains($0.lowercased()) }
        XCTAssertEqual(callerSent, callerHeaders.map(\.name), "caller headers keep their order")
        let added = Set(echo.headerNames.map { $0.lowercased() }).subtracting(callerNames)
        XCTAssertEqual(added, ["host", "user-agent", "accept", "content-length", "expect"])
        XCTAssertEqual(echo.values("content-length"), ["3000"])
        XCTAssertEqual(echo.values("expect"), ["100-continue"])
        XCTAssertTrue(echo.values("transfer-encoding").isEmpty)
        XCTAssertFalse(echo.chunked)
    }

    func testCallerHostAcceptAndMatchingContentLengthReplaceCurlDefaults() throws {
        let headers: [(name: String, value: String)] = [
            ("Accept", "application/xml"), ("Host", "bucket.s3.example.com"), ("Content-Length", "2"),
        ]
        let echo = try echo(HTTPRequest(method: .put, url: url("/echo"), headers: headers, body: .bytes([1, 2])))
        XCTAssertEqual(echo.values("host"), ["bucket.s3.example.com"])
        XCTAssertEqual(echo.values("accept"), ["application/xml"])
        XCTAssertEqual(echo.values("content-length"), ["2"])
    }

    func testServerRequiringAnExactHeaderAcceptsItAndRejectsOthers() throws {
        let client = try HTTPClient(options: TransportOptions())
        let target = url("/require-header?name=x-amz-content-sha256&value=UNSIGNED-PAYLOAD")
        let good = try client.send(
            HTTPRequest(
                method: .get, url: target,
                headers: [("x-amz-content-sha256", "UNSIGNED-PAYLOAD")]))
        XCTAssertEqual(good.status, 200, String(decoding: good.body, as: UTF8.self))
        let wrong = try client.send(
            HTTPRequest(
                method: .get, url: target,
                headers: [("x-amz-content-sha256", "UNSIGNED-PAYLOAD ")]))
        XCTAssertEqual(wrong.status, 412, "the trailing space is sent, not trimmed by the transport")
        let missing = try client.send(HTTPRequest(method: .get, url: target))
        XCTAssertEqual(missing.status, 412)
    }

    func testInvalidHeadersAreRefusedBeforeAnythingIsSent() throws {
        let client = try HTTPClient(options: TransportOptions())
        let bad: [(name: String, value: String)] = [
            ("x-injected", "a\r\nx-evil: 1"), ("bad name", "v"), ("x-colon:", "v"), ("x-semi;", "v"), ("", "v"),
            ("Transfer-Encoding", "chunked"), ("Content-Length", "5"),
        ]
        for header in bad {
            let error = transportError {
                _ = try client.send(HTTPRequest(method: .put, url: url("/echo"), headers: [header], body: .bytes([1])))
            }
            guard case .invalidArgument = error else { return XCTFail("\(header): \(String(describing: error))") }
            XCTAssertEqual(error?.isTransient, false)
            XCTAssertFalse(String(describing: error).contains("x-evil"), "values are not echoed into messages")
        }
        // The handle is still fine afterwards.
        XCTAssertEqual(try echo(HTTPRequest(method: .get, url: url("/echo")), client: client).method, "GET")
    }

    func testBodyOnMethodsWithoutBodyIsRefused() throws {
        let client = try HTTPClient(options: TransportOptions())
        for method in [HTTPMethod.get, .head, .delete] {
            let error = transportError {
                _ = try client.send(HTTPRequest(method: method, url: url("/echo"), body: .bytes([1])))
            }
            guard case .invalidArgument = error else { return XCTFail("\(method): \(String(describing: error))") }
        }
    }

    func testMalformedAndUnsupportedURLsAreRefused() throws {
        let client = try HTTPClient(options: TransportOptions())
        for bad in ["127.0.0.1/echo", "ftp://127.0.0.1/x", "http://127.0.0.1/a b", "file:///etc/passwd", "http://"] {
            let error = transportError { _ = try client.send(HTTPRequest(method: .get, url: bad)) }
            guard case .invalidArgument = error else { return XCTFail("\(bad): \(String(describing: error))") }
            XCTAssertEqual(error?.isTransient, false)
        }
    }
}
