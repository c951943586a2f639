// S3Request: one S3 API call, described independently of signing and transport so it can be signed afresh
// and replayed on every attempt. Public so request executors (S3RequestExecutor) can be composed outside
// this module; only S3Store builds requests.
import Foundation
import HTTPTransport

public struct S3Request {
    public enum Body {
        case none
        case bytes([UInt8], sha256: String)
        /// A replayable stream: the factory makes a fresh source for every attempt.
        case stream(length: Int64, sha256: String, source: @Sendable () -> BodySource)
    }

    public var operation: String
    public var method: HTTPMethod
    /// Full object key inside the bucket (prefix included); nil for bucket-level calls.
    public var key: String?
    public var query: [(String, String)] = []
    public var headers: [(String, String)] = []
    public var body: Body = .none

    public static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    public var payloadSHA256: String {
        switch body {
        case .none: return Self.emptySHA256
        case .bytes(_, let sha256), .stream(_, let sha256, _): return sha256
        }
    }

    public var httpBody: HTTPBody {
        switch body {
        case .none: return .none
        case .bytes(let bytes, _): return .bytes(bytes)
        case .stream(let length, _, let source): return .stream(length: length, source: source)
        }
    }
}
