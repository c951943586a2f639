// HTTPBody: what a request uploads. Every body has a length known up front, so curl always sends
// Content-Length and never chunked transfer encoding (S3 refuses chunked uploads without a length).

public enum HTTPBody: Sendable {
    case none
    case bytes([UInt8])
    /// `source` is called once per attempt (and again if curl must rewind to resend on a fresh
    /// connection), so each call must return a new source positioned at the start of the same bytes.
    /// The source must yield exactly `length` bytes.
    case stream(length: Int64, source: @Sendable () -> BodySource)

    /// The byte count curl announces in Content-Length.
    public var length: Int64 {
        switch self {
        case .none: return 0
        case .bytes(let bytes): return Int64(bytes.count)
        case .stream(let length, _): return length
        }
    }
}
