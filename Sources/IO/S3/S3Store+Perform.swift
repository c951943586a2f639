// Request execution: address, sign (afresh for every attempt, so the date is current), send, and retry
// transient failures with capped exponential backoff and full jitter. Permanent failures are never retried.
// When attempts run out, one error summarises every attempt.
import Foundation
import HTTPTransport
import S3Protocol

extension S3Store {
    func perform(_ request: S3Request) throws -> HTTPResponse {
        var attempts: [String] = []
        for attempt in 0..<max(configuration.maxAttempts, 1) {
            let last = attempt + 1 >= configuration.maxAttempts
            do {
                let response = try clients.with { try $0.send(signed(request)) }
                if (200..<300).contains(response.status) { return response }
                let body = S3XML.error(response.body)
                attempts.append("HTTP \(response.status)" + (body.map { " \($0.code)" } ?? ""))
                if !last && RetryPolicy.isTransient(status: response.status, code: body?.code) {
                    sleeper(RetryPolicy.delay(attempt: attempt, random: Double.random(in: 0..<1)))
                    continue
                }
                throw failure(request, status: response.status, body: body, attempts: attempts)
            } catch let error as TransportError {
                attempts.append(error.message)
                if !last && error.isTransient {
                    sleeper(RetryPolicy.delay(attempt: attempt, random: Double.random(in: 0..<1)))
                    continue
                }
                throw S3Error.transport(operation: request.operation, message: error.message, hint: error.hint, attempts: attempts)
            }
        }
        preconditionFailure("the retry loop always returns or throws")
    }

    func failure(_ request: S3Request, status: Int, body: S3ErrorBody?, attempts: [String]) -> S3Error {
        let advice = S3ErrorAdvice.describe(status: status, error: body, bucket: configuration.bucket, key: request.key)
        return .request(operation: request.operation, status: status, code: body?.code, message: advice.message,
                        hint: advice.hint, attempts: attempts)
    }

    /// Builds the HTTP request: path-style (`host/bucket/key`) or virtual-hosted (`bucket.host/key`) addressing.
    func signed(_ request: S3Request) -> HTTPRequest {
        let endpoint = configuration.endpoint
        let scheme = endpoint.scheme ?? "https"
        var host = endpoint.host ?? ""
        if configuration.addressing == .virtual { host = configuration.bucket + "." + host }
        if let port = endpoint.port, !((scheme == "https" && port == 443) || (scheme == "http" && port == 80)) {
            host += ":\(port)"
        }
        let keyPath = request.key.map { "/" + S3Path.encodeKey($0) } ?? ""
        let path = configuration.addressing == .path ? "/" + configuration.bucket + keyPath : (keyPath.isEmpty ? "/" : keyPath)
        let headers = [("host", host)] + request.headers
        let authorization = signer.sign(method: request.method.rawValue, host: host, path: path, query: request.query,
                                        headers: headers, payloadSHA256: request.payloadSHA256, date: Date())
        let query = request.query.isEmpty ? "" : "?" + SigV4Signer.canonicalQueryString(request.query)
        return HTTPRequest(method: request.method, url: "\(scheme)://\(host)\(path)\(query)",
                           headers: (headers + authorization).map { (name: $0.0, value: $0.1) }, body: request.httpBody)
    }
}

/// A small pool of libcurl handles so parallel part uploads each have one and connections are reused.
final class ClientPool: @unchecked Sendable {
    // `idle` is guarded by `lock`; a client is used by one thread at a time (taken out of the pool while used).
    private let options: TransportOptions
    private let lock = NSLock()
    private var idle: [HTTPClient] = []

    init(options: TransportOptions) { self.options = options }

    func with<T>(_ body: (HTTPClient) throws -> T) throws -> T {
        let client = try lock.withLock { idle.popLast() } ?? HTTPClient(options: options)
        defer { lock.withLock { if idle.count < 8 { idle.append(client) } } }
        return try body(client)
    }
}
