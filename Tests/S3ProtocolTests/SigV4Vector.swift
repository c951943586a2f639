// SigV4Vector: the shape of one botocore known-answer vector (see make_sigv4_vectors.py).

struct SigV4Vector {
    var name: String
    var accessKeyId: String
    var secretAccessKey: String
    var sessionToken: String?
    var region: String
    var service: String
    var method: String
    var host: String
    /// The encoded path exactly as botocore signed it.
    var path: String
    /// The unencoded object key the path ends with, when the vector is about a key.
    var rawKey: String?
    var query: [(String, String)]
    var headers: [(String, String)]
    var bodyHex: String?
    var payloadSHA256: String
    var epochSeconds: Int
    var expectedAmzDate: String
    var expectedCanonicalQuery: String
    var expectedCanonicalRequest: String
    var expectedAuthorization: String
}
