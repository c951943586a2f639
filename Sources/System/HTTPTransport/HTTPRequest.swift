// HTTPRequest: one request as the caller (the S3 signer) built it. The transport sends it as given and adds
// only headers the caller can predict (see HTTPClient).

public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// Already percent-encoded by the caller. Never logged or put in an error with its query string, which
    /// may carry a presigned signature: errors name only `host[:port]`.
    public var url: String
    /// Sent exactly and in this order. An empty value is sent as an empty header (`name:`), never dropped.
    public var headers: [(name: String, value: String)]
    public var body: HTTPBody

    public init(
        method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [],
        body: HTTPBody = .none
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}
