// Streaming bodies both ways: large uploads from a BodySource with a Content-Length, large downloads to a
// sink in constant memory, and errors from caller code aborting the transfer and coming back unchanged.
import Foundation
import HTTPTransport
import XCTest

final class StreamingTests: ServerTestCase {
    func testUpload20MiBFromStreamArrivesWithContentLengthAndMatchingDigest() throws {
        let length = 20 << 20
        let factoryCalls = Counter()
        let body = HTTPBody.stream(length: Int64(length)) {
            factoryCalls.increment()
            return PatternSource(length: Int64(length))
        }
        let echo = try echo(HTTPRequest(method: .put, url: url("/echo"), body: body))
        XCTAssertEqual(echo.bodyLength, length)
        XCTAssertEqual(echo.values("content-length"), [String(length)])
        XCTAssertTrue(echo.values("transfer-encoding").isEmpty)
        XCTAssertFalse(echo.chunked)
        XCTAssertEqual(echo.bodySHA256, try patternDigest(length))
        XCTAssertEqual(factoryCalls.value, 1)
    }

    func testDownload50MiBStreamsToSinkInConstantMemory() throws {
        let length = 50 << 20
        let client = try HTTPClient(options: TransportOptions())
        var received: Int64 = 0
        var mismatchAt: Int64?
        var nextSample: Int64 = 0
        let baseline = Memory.residentBytes()
        var peak = baseline
        let response = try client.send(HTTPRequest(method: .get, url: url("/bytes/\(length)"))) { chunk in
            if mismatchAt == nil, !Pattern.matches(chunk, offset: received) { mismatchAt = received }
            received += Int64(chunk.count)
            if received >= nextSample {
                peak = max(peak, Memory.residentBytes())
                nextSample += 1 << 20
            }
        }
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(received, Int64(length))
        XCTAssertNil(mismatchAt, "bytes differ from the pattern at offset \(mismatchAt ?? -1)")
        XCTAssertTrue(response.body.isEmpty, "a streamed 2xx body must not also be collected")
        XCTAssertGreaterThan(baseline, 0)
        XCTAssertLessThan(peak - baseline, 16 << 20, "resident memory grew by \(peak - baseline) bytes")
    }

    func testSinkErrorAbortsTransferAndIsRethrownUnchanged() throws {
        let client = try HTTPClient(options: TransportOptions())
        var received = 0
        let started = Date()
        XCTAssertThrowsError(
            try client.send(HTTPRequest(method: .get, url: url("/bytes/\(200 << 20)"))) { chunk in
                received += chunk.count
                if received >= 1 << 20 { throw SinkFailure(afterBytes: 1 << 20) }
            }
        ) { error in
            XCTAssertEqual(error as? SinkFailure, SinkFailure(afterBytes: 1 << 20))
        }
        XCTAssertLessThan(received, 200 << 20)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the transfer must stop, not run to the end")
        XCTAssertEqual(
            try echo(HTTPRequest(method: .get, url: url("/echo")), client: client).method, "GET",
            "the handle is usable after an aborted transfer")
    }

    func testSourceErrorAbortsUploadAndIsRethrownUnchanged() throws {
        let client = try HTTPClient(options: TransportOptions())
        let body = HTTPBody.stream(length: 8 << 20) { PatternSource(length: 8 << 20, failAt: 1 << 20) }
        XCTAssertThrowsError(try client.send(HTTPRequest(method: .put, url: url("/echo"), body: body))) { error in
            XCTAssertEqual(error as? SourceFailure, SourceFailure())
        }
        XCTAssertEqual(try echo(HTTPRequest(method: .get, url: url("/echo")), client: client).method, "GET")
    }

    func testSourceShorterOrLongerThanDeclaredLengthFails() throws {
        let client = try HTTPClient(options: TransportOptions())
        for (declared, actual) in [(Int64(100_000), Int64(99_999)), (100_000, 100_001)] {
            let body = HTTPBody.stream(length: declared) { PatternSource(length: actual) }
            let error = transportError { _ = try client.send(HTTPRequest(method: .put, url: url("/echo"), body: body)) }
            guard case .invalidArgument(let detail) = error else { return XCTFail(String(describing: error)) }
            XCTAssertTrue(detail.contains("100000"), detail)
        }
    }

    func testNon2xxBodyIsCollectedInsteadOfSunk() throws {
        let client = try HTTPClient(options: TransportOptions())
        let xml = "<Error><Code>NoSuchKey</Code></Error>"
        let encoded = xml.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var sunk = 0
        let response = try client.send(HTTPRequest(method: .get, url: url("/status/404?body=\(encoded)"))) {
            sunk += $0.count
        }
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(sunk, 0)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), xml)
        let collected = try client.send(HTTPRequest(method: .get, url: url("/status/503?body=\(encoded)")))
        XCTAssertEqual(collected.status, 503)
        XCTAssertEqual(String(decoding: collected.body, as: UTF8.self), xml)
    }

    /// Why uploads keep `Expect: 100-continue`: a server that refuses the request (S3: bad signature) answers
    /// before the body is sent, so a large part is not pushed over the network for nothing.
    func testEarlyRejectionStopsTheUploadBeforeTheBodyIsRead() throws {
        let client = try HTTPClient(options: TransportOptions())
        let factoryCalls = Counter()
        let body = HTTPBody.stream(length: 64 << 20) {
            factoryCalls.increment()
            return PatternSource(length: 64 << 20)
        }
        let response = try client.send(HTTPRequest(method: .put, url: url("/reject-early/403"), body: body))
        XCTAssertEqual(response.status, 403)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "<Error><Code>AccessDenied</Code></Error>")
        XCTAssertEqual(factoryCalls.value, 0, "no body byte should have been read")
        XCTAssertEqual(try echo(HTTPRequest(method: .get, url: url("/echo")), client: client).method, "GET")
    }

    func testBodyIsResentFromAFreshSourceWhenCurlRetriesOnANewConnection() throws {
        let client = try HTTPClient(options: TransportOptions())
        _ = try echo(HTTPRequest(method: .get, url: url("/echo")), client: client)  // opens the connection to reuse
        let length = 300_000
        let factoryCalls = Counter()
        let body = HTTPBody.stream(length: Int64(length)) {
            factoryCalls.increment()
            return PatternSource(length: Int64(length))
        }
        // The server reads the whole body on the reused connection and hangs up without answering; curl
        // retries on a new connection and must rewind the body, which takes a fresh source.
        let echo = try echo(HTTPRequest(method: .put, url: url("/close-once?key=rewind"), body: body), client: client)
        XCTAssertEqual(echo.bodyLength, length)
        XCTAssertEqual(echo.bodySHA256, try patternDigest(length))
        XCTAssertEqual(factoryCalls.value, 2)
    }
}
