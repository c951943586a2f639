// HTTPClient: sends one HTTP/1.1 request at a time over a reused libcurl easy handle (keep-alive).
//
// What goes on the wire, so a signer can predict every header:
//   - the caller's headers, exactly and in order (an empty value is sent as `name:`);
//   - `Host` (`host[:port]` as in the URL), `User-Agent: lifeboat/0.1` and `Accept: */*`; a caller-set Host,
//     User-Agent, Accept, Expect or (matching) Content-Length replaces curl's own, in curl's position;
//   - for PUT and POST: `Content-Length` of the body (also `0`), never `Transfer-Encoding: chunked`, and no
//     `Content-Type` unless the caller sets it (uploads use CURLOPT_UPLOAD, not curl's form POST);
//   - for a non-empty upload: `Expect: 100-continue` (unless the caller sets Expect). We keep it on purpose:
//     S3 then answers 403/307/503 before a large part is sent. curl 7.88 has no switch to drop it without
//     its `Expect:` removal syntax, which Lifeboat does not use. A server that ignores it costs
//     `expectContinueTimeout` before the body goes out.
// No Accept-Encoding, no cookies, no redirects followed, no proxy from the environment, the URL path sent
// as given (no dot-segment squashing), so what was signed is what is sent.
import CLibCurl

/// Not thread-safe: one request at a time. It may move between threads (a pool of clients), hence
/// `@unchecked Sendable`; the caller guarantees no two `send` calls overlap.
public final class HTTPClient: @unchecked Sendable {
    public static let userAgent = "lifeboat/0.1"
    static let bufferSize = 256 << 10
    static let expectContinueTimeoutMilliseconds = 1000

    private let easy: CurlEasy

    public init(options: TransportOptions = TransportOptions()) throws {
        try options.validate()
        try Curl.initialiseOnce()
        easy = try CurlEasy()
        try applyFixedOptions(options)
    }

    /// Sends the request and collects the response body in memory (for small responses: XML listings, errors).
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try perform(request, sink: nil)
    }

    /// Sends the request and streams a 2xx response body to `sink` as it arrives (non-2xx bodies, up to
    /// 1 MiB, are collected into the response instead, so error XML can be parsed). `sink` may throw to abort
    /// the transfer; the original error is rethrown.
    public func send(_ request: HTTPRequest, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws
        -> HTTPResponse
    {
        try perform(request, sink: sink)
    }

    private func perform(_ request: HTTPRequest, sink: ResponseCollector.Sink?) throws -> HTTPResponse {
        try URLHost.validate(request.url)
        try Self.validateBody(request)
        let headers = try HeaderList(request.headers, bodyLength: request.body.length)
        let context = TransferContext(body: request.body, sink: sink)
        let unmanaged = Unmanaged.passRetained(context)
        defer { unmanaged.release() }
        let result = try withExtendedLifetime(headers) {
            defer { detach() }
            try configure(request, headers: headers)
            try CurlCallbacks.attach(unmanaged.toOpaque(), to: easy)
            return easy.perform()
        }
        if let failure = context.failure { throw failure }
        guard result.code == CURLE_OK else {
            throw Curl.transferError(result.code, detail: result.detail, host: URLHost.authority(of: request.url))
        }
        return HTTPResponse(
            status: try easy.responseCode(), headers: context.response.headers,
            body: context.response.body)
    }

    private func applyFixedOptions(_ options: TransportOptions) throws {
        try easy.set(CURLOPT_NOSIGNAL, 1)  // timeouts must not use SIGALRM in a multi-threaded process
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        try easy.set(CURLOPT_USERAGENT, Self.userAgent)
        try easy.set(CURLOPT_PATH_AS_IS, 1)
        try easy.set(CURLOPT_PROXY, "")  // ignore http_proxy and friends: the endpoint is configured explicitly
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        try easy.set(CURLOPT_BUFFERSIZE, Self.bufferSize)
        try easy.set(CURLOPT_UPLOAD_BUFFERSIZE, Self.bufferSize)
        try easy.set(CURLOPT_EXPECT_100_TIMEOUT_MS, Self.expectContinueTimeoutMilliseconds)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int((options.connectTimeout * 1000).rounded(.up)))
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimitBytesPerSecond)
        try easy.set(CURLOPT_LOW_SPEED_TIME, Int(options.lowSpeedTime.rounded(.up)))
        try easy.set(CURLOPT_SSL_VERIFYPEER, options.verifyTLS ? 1 : 0)
        try easy.set(CURLOPT_SSL_VERIFYHOST, options.verifyTLS ? 2 : 0)
        if let caFile = options.caFile { try easy.set(CURLOPT_CAINFO, caFile) }
        try CurlCallbacks.install(on: easy)
    }

    /// Every method-dependent option is set on every request, so nothing leaks from the previous one.
    /// HTTPGET=1 clears UPLOAD and NOBODY; uploads never use curl's POST mode, which would add a form
    /// Content-Type.
    private func configure(_ request: HTTPRequest, headers: HeaderList) throws {
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_HTTPHEADER, list: headers.list)
        try easy.set(CURLOPT_HTTPGET, 1)
        try easy.set(CURLOPT_CUSTOMREQUEST, nil)
        try easy.set(CURLOPT_INFILESIZE_LARGE, offset: -1)
        switch request.method {
        case .get:
            break
        case .head:
            try easy.set(CURLOPT_NOBODY, 1)
        case .delete:
            try easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        case .put, .post:
            try easy.set(CURLOPT_UPLOAD, 1)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: request.body.length)
            if request.method == .post { try easy.set(CURLOPT_CUSTOMREQUEST, request.method.rawValue) }
        }
    }

    /// After a transfer the handle must not keep pointers to the freed header list or released context.
    private func detach() {
        try? easy.set(CURLOPT_HTTPHEADER, list: nil)
        try? CurlCallbacks.attach(nil, to: easy)
    }

    private static func validateBody(_ request: HTTPRequest) throws {
        switch (request.method, request.body) {
        case (.put, _), (.post, _), (_, .none):
            break
        default:
            throw TransportError.invalidArgument("a '\(request.method.rawValue)' request cannot carry a body")
        }
        guard request.body.length >= 0 else {
            throw TransportError.invalidArgument("body length '\(request.body.length)' is negative")
        }
    }
}
