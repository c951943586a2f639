// Network failures map to TransportError cases a retry policy can use: refused, stalled, dropped, TLS.
// Messages name the host, never the path or query (which may carry a presigned signature).
import Foundation
import Glibc
import HTTPTransport
import XCTest

final class FailureTests: ServerTestCase {
    private let secretQuery = "?X-Amz-Signature=topsecretsignature&X-Amz-Credential=AKIDSECRET"

    func testConnectionRefusedIsATransientConnectionError() throws {
        let port = try BoundButNotListening()
        defer { port.close() }
        let error = transportError {
            _ = try HTTPClient(options: TransportOptions()).send(
                HTTPRequest(method: .get, url: "http://127.0.0.1:\(port.number)/bucket/key\(secretQuery)"))
        }
        guard case .connection(let host, _) = error else { return XCTFail(String(describing: error)) }
        XCTAssertEqual(host, "127.0.0.1:\(port.number)")
        XCTAssertEqual(error?.isTransient, true)
        assertNoSecrets(error)
    }

    /// curl averages speed over a window of about five seconds, so the server sends little before stalling
    /// (50 kB would keep the average above 1 kB/s for several seconds more).
    func testStalledTransferTripsTheLowSpeedTimeout() throws {
        let options = TransportOptions(lowSpeedLimitBytesPerSecond: 1024, lowSpeedTime: 2)
        let client = try HTTPClient(options: options)
        let started = Date()
        var received = 0
        let error = transportError {
            _ = try client.send(HTTPRequest(method: .get, url: url("/stall/1000000\(secretQuery)&after=1000"))) {
                received += $0.count
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        guard case .timeout = error else { return XCTFail(String(describing: error)) }
        XCTAssertEqual(error?.isTransient, true)
        XCTAssertEqual(received, 1000)
        XCTAssertGreaterThan(elapsed, 1.5)
        XCTAssertLessThan(elapsed, 10)
        assertNoSecrets(error)
    }

    func testConnectionDroppedMidBodyIsTransient() throws {
        let client = try HTTPClient(options: TransportOptions())
        for reset in [false, true] {
            let target = url("/drop/1000000\(secretQuery)&after=100000&reset=\(reset ? 1 : 0)")
            let collected = transportError { _ = try client.send(HTTPRequest(method: .get, url: target)) }
            let streamed = transportError { _ = try client.send(HTTPRequest(method: .get, url: target)) { _ in } }
            for error in [collected, streamed] {
                guard case .connection = error else { return XCTFail("reset \(reset): \(String(describing: error))") }
                XCTAssertEqual(error?.isTransient, true)
                assertNoSecrets(error)
            }
        }
        XCTAssertEqual(try echo(HTTPRequest(method: .get, url: url("/echo")), client: client).method, "GET")
    }

    func testHTTPSToAPlainHTTPPortFailsWithATLSError() throws {
        let error = transportError {
            _ = try HTTPClient(options: TransportOptions()).send(
                HTTPRequest(method: .get, url: "https://127.0.0.1:\(server.port)/echo\(secretQuery)"))
        }
        switch error {
        case .tls(let host, _)?, .connection(let host, _)?:
            XCTAssertEqual(host, "127.0.0.1:\(server.port)")
        default:
            XCTFail(String(describing: error))
        }
        assertNoSecrets(error)
    }

    func testInvalidOptionsAreRefused() {
        for options in [
            TransportOptions(connectTimeout: 0), TransportOptions(lowSpeedLimitBytesPerSecond: -1),
            TransportOptions(lowSpeedTime: .infinity),
        ] {
            let error = transportError { _ = try HTTPClient(options: options) }
            guard case .invalidArgument = error else { return XCTFail(String(describing: error)) }
        }
    }

    private func assertNoSecrets(_ error: TransportError?, file: StaticString = #filePath, line: UInt = #line) {
        let text = String(describing: error)
        for secret in ["topsecretsignature", "AKIDSECRET", "X-Amz", "/bucket/key", "/stall", "/drop", "/echo"] {
            XCTAssertFalse(text.contains(secret), "'\(secret)' leaked into: \(text)", file: file, line: line)
        }
        XCTAssertNotNil(error?.hint, file: file, line: line)
    }
}

/// A TCP port bound on 127.0.0.1 but not listening: connecting to it is refused, and nothing else can take
/// the port while the test runs.
struct BoundButNotListening {
    let descriptor: Int32
    let number: Int

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestServerError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            _ = Glibc.close(descriptor)
            throw TestServerError("bind() failed")
        }
        self.descriptor = descriptor
        number = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }
}
