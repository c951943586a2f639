// Round trips of every method against the real test server, and keep-alive reuse of the one easy handle.
import Foundation
import HTTPTransport
import XCTest

final class RoundTripTests: ServerTestCase {
    func testGetEchoesMethodAndPathWithQuery() throws {
        let echo = try echo(HTTPRequest(method: .get, url: url("/echo?list-type=2&prefix=a%2Fb")))
        XCTAssertEqual(echo.method, "GET")
        XCTAssertEqual(echo.path, "/echo?list-type=2&prefix=a%2Fb")
        XCTAssertEqual(echo.bodyLength, 0)
        XCTAssertTrue(echo.values("content-length").isEmpty)
    }

    func testPathIsSentAsGivenWithoutDotSegmentRemoval() throws {
        let echo = try echo(HTTPRequest(method: .get, url: url("/echo/a/../b/./c")))
        XCTAssertEqual(echo.path, "/echo/a/../b/./c")
    }

    func testPutBytesArriveExactlyWithContentLength() throws {
        let body: [UInt8] = Array("hello, lifeboat\u{0}\u{ff}".utf8)
        let echo = try echo(HTTPRequest(method: .put, url: url("/echo"), body: .bytes(body)))
        XCTAssertEqual(echo.method, "PUT")
        XCTAssertEqual(echo.bodyHex, hex(body))
        XCTAssertEqual(echo.values("content-length"), [String(body.count)])
        XCTAssertFalse(echo.chunked)
        XCTAssertTrue(echo.values("transfer-encoding").isEmpty)
    }

    func testPostBytesGetNoDefaultContentType() throws {
        let body = Array("<CompleteMultipartUpload/>".utf8)
        let echo = try echo(HTTPRequest(method: .post, url: url("/echo?uploadId=1"), body: .bytes(body)))
        XCTAssertEqual(echo.method, "POST")
        XCTAssertEqual(echo.bodyHex, hex(body))
        XCTAssertTrue(echo.values("content-type").isEmpty, "curl added \(echo.values("content-type"))")
    }

    func testPostAndPutWithoutBodySendZeroContentLength() throws {
        for method in [HTTPMethod.post, .put] {
            let echo = try echo(HTTPRequest(method: method, url: url("/echo?uploads=")))
            XCTAssertEqual(echo.method, method.rawValue)
            XCTAssertEqual(echo.values("content-length"), ["0"])
            XCTAssertTrue(echo.values("expect").isEmpty, "no body, so no 100-continue")
            XCTAssertTrue(echo.values("content-type").isEmpty)
        }
    }

    func testDelete() throws {
        let echo = try echo(HTTPRequest(method: .delete, url: url("/echo/key")))
        XCTAssertEqual(echo.method, "DELETE")
        XCTAssertEqual(echo.path, "/echo/key")
        XCTAssertEqual(echo.bodyLength, 0)
    }

    func testHeadReturnsHeadersWithoutWaitingForABody() throws {
        let client = try HTTPClient(options: TransportOptions())
        let response = try client.send(HTTPRequest(method: .head, url: url("/echo")))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["x-echo-method"], "HEAD")
        XCTAssertGreaterThan(Int(response.headers["content-length"] ?? "") ?? 0, 0)
        XCTAssertTrue(response.body.isEmpty)
        // The next request on the same handle must be a normal GET again, with a body.
        let echo = try echo(HTTPRequest(method: .get, url: url("/echo")), client: client)
        XCTAssertEqual(echo.method, "GET")
    }

    func testResponseHeadersAreLowerCasedAndLastWins() throws {
        let response = try HTTPClient(options: TransportOptions()).send(HTTPRequest(method: .get, url: url("/echo")))
        XCTAssertEqual(response.headers["x-dup"], "second")
        XCTAssertEqual(response.headers["content-type"], "application/json")
        XCTAssertNil(response.headers["Content-Type"])
    }

    func testMethodsInSequenceOnOneHandleDoNotLeakOptions() throws {
        let client = try HTTPClient(options: TransportOptions())
        let sequence: [(HTTPMethod, HTTPBody)] = [
            (.put, .bytes([1, 2, 3])), (.head, .none), (.post, .bytes([4])),
            (.delete, .none), (.get, .none), (.put, .none),
        ]
        for (method, body) in sequence {
            let response = try client.send(HTTPRequest(method: method, url: url("/echo"), body: body))
            XCTAssertEqual(response.headers["x-echo-method"], method.rawValue)
            guard method != .head else { continue }
            let echo = try JSONDecoder().decode(Echo.self, from: Data(response.body))
            XCTAssertEqual(echo.bodyLength, Int(body.length), "\(method)")
        }
    }

    func testHandleIsReusedAcross100SequentialRequests() throws {
        let client = try HTTPClient(options: TransportOptions())
        var ports = Set<Int>()
        for index in 0..<100 {
            let method: HTTPMethod = index % 2 == 0 ? .get : .put
            let body: HTTPBody = method == .put ? .bytes(Array("request \(index)".utf8)) : .none
            let echo = try echo(HTTPRequest(method: method, url: url("/echo?i=\(index)"), body: body), client: client)
            XCTAssertEqual(echo.path, "/echo?i=\(index)")
            ports.insert(echo.clientPort)
        }
        XCTAssertEqual(ports.count, 1, "every request should ride the same keep-alive connection")
    }
}
