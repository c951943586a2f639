// S3Request: one S3 API call, described independently of signing and transport so it can be signed afresh
// and replayed on every attempt.
import Foundation
import HTTPTransport

struct S3Request {
    enum Body {
        case none
        case bytes([UInt8], sha256: String)
        /// A replayable stream: the factory makes a fresh source for every attempt.
        case stream(length: Int64, sha256: String, source: @Sendable () -> BodySource)
    }

    var operation: String
    var method: HTTPMethod
    /// Full object key inside the bucket (prefix included); nil for bucket-level calls.
    var key: String?
    var query: [(String, String)] = []
    var headers: [(String, String)] = []
    var body: Body = .none

    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    var payloadSHA256: String {
        switch body {
        case .none: return Self.emptySHA256
        case .bytes(_, let sha256), .stream(_, let sha256, _): return sha256
        }
    }

    var httpBody: HTTPBody {
        switch body {
        case .none: return .none
        case .bytes(let bytes, _): return .bytes(bytes)
        case .stream(let length, _, let source): return .stream(length: length, source: source)
        }
    }
}
