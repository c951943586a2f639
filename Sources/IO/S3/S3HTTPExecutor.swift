// S3HTTPExecutor: one attempt of an S3 request: address it, sign it (afresh for every attempt, so the date is
// current), send it over a pooled libcurl client, and parse the error document of a failed answer.
import Foundation
import HTTPTransport
import S3Protocol

public struct S3HTTPExecutor: S3RequestExecutor {
    let configuration: S3Configuration
    let signer: SigV4Signer
    let clients: ClientPool

    /// Uses the configuration's endpoint, addressing, region, credentials and transport options.
    public init(_ configuration: S3Configuration) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.clients = ClientPool(options: configuration.transport, idleLimit: max(8, configuration.parallel + 1))
    }

    public func execute(_ request: S3Request) throws -> S3Exchange {
        do {
            let response = try clients.with { try $0.send(signed(request)) }
            if response.isSuccess {
                return S3Exchange(outcome: .answered(response, error: nil), attempts: ["HTTP \(response.status)"])
            }
            let body = S3XML.error(response.body)
            return S3Exchange(
                outcome: .answered(response, error: body),
                attempts: ["HTTP \(response.status)" + (body.map { " \($0.code)" } ?? "")])
        } catch let error as TransportError {
            return S3Exchange(outcome: .failed(error), attempts: [error.message])
        }
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
        let path =
            configuration.addressing == .path
            ? "/" + configuration.bucket + keyPath
            : (keyPath.isEmpty ? "/" : keyPath)
        let headers = [("host", host)] + request.headers
        let authorization = signer.sign(
            method: request.method.rawValue, host: host, path: path, query: request.query,
            headers: headers, payloadSHA256: request.payloadSHA256, date: Date())
        let query = request.query.isEmpty ? "" : "?" + SigV4Signer.canonicalQueryString(request.query)
        return HTTPRequest(
            method: request.method, url: "\(scheme)://\(host)\(path)\(query)",
            headers: (headers + authorization).map { (name: $0.0, value: $0.1) }, body: request.httpBody)
    }
}
