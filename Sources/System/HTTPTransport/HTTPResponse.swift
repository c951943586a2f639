// HTTPResponse: status, headers and (when collected) body of the final response; interim 1xx responses
// such as `100 Continue` are not reported.

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Names lower-cased; when a header repeats, the last value wins.
    public var headers: [String: String]
    /// The whole body for `send(_:)`; for `send(_:sink:)` only a non-2xx body (error XML), else empty.
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}
