// TLS options against a real TLS server with a throwaway self-signed certificate: verification rejects an
// unknown issuer (not transient), `caFile` trusts it, and `verifyTLS: false` skips the check.
import Foundation
import HTTPTransport
import TestSupport
import XCTest

final class TLSTests: ServerTestCase {
    func testSelfSignedCertificateIsRejectedUnlessTrusted() throws {
        let directory = URL(fileURLWithPath: try temporaryDirectory(prefix: "httptransport-tls"))
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try makeSelfSignedCertificate(cert: cert, key: key)
        let tls = try startExtraServer(["--tls-cert", cert, "--tls-key", key])
        let target = "https://127.0.0.1:\(tls.port)/echo"

        let error = transportError {
            _ = try HTTPClient(options: TransportOptions()).send(HTTPRequest(method: .get, url: target))
        }
        guard case .tls(let host, _) = error else { return XCTFail(String(describing: error)) }
        XCTAssertEqual(host, "127.0.0.1:\(tls.port)")
        XCTAssertEqual(error?.isTransient, false)

        let trusted = try HTTPClient(options: TransportOptions(caFile: cert)).send(
            HTTPRequest(method: .get, url: target))
        XCTAssertEqual(trusted.status, 200)
        XCTAssertEqual(trusted.headers["x-echo-method"], "GET")

        let unverified = try HTTPClient(options: TransportOptions(verifyTLS: false)).send(
            HTTPRequest(method: .put, url: target, body: .bytes([1, 2, 3])))
        XCTAssertEqual(unverified.status, 200)
    }

    private func makeSelfSignedCertificate(cert: String, key: String) throws {
        let openssl = try ProcessRunner.run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key, "-out", cert,
            ])
        guard openssl.status == 0 else {
            throw XCTSkip("openssl could not make a test certificate (status \(openssl.status))")
        }
    }
}
