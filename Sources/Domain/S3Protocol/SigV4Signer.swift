// SigV4Signer: AWS Signature Version 4 for S3 (and, with double-encoded paths, other services), computed
// here rather than by libcurl so the exact signed bytes are under our control and testable against botocore.
// The transport must send the caller's headers plus the returned ones, and the query built with
// `canonicalQueryString`, byte for byte.
import Cipher
import Foundation

public struct SigV4Signer: Sendable {
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty string: the payload hash of GET, HEAD, DELETE and body-less POSTs.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let algorithm = "AWS4-HMAC-SHA256"
    /// Headers the signer owns; if the caller passes them anyway they are not signed twice.
    static let signerOwnedHeaders: Set<String> = [
        "authorization", "x-amz-date", "x-amz-content-sha256",
        "x-amz-security-token",
    ]

    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Returns the headers to ADD to the request: x-amz-date, x-amz-content-sha256, x-amz-security-token
    /// (when a session token exists), host (only when `headers` has none) and Authorization.
    /// `path` is the already-encoded absolute path (S3: each key segment RFC 3986-encoded, '/' kept; it is
    /// signed as given — other services get the SigV4 second encoding). `query` holds raw (unencoded)
    /// pairs; send them as `canonicalQueryString(query)`. `headers` are the other headers that will be sent
    /// and all of them are signed; `host` must include a non-default port ("127.0.0.1:9000").
    public func sign(
        method: String, host: String, path: String, query: [(String, String)],
        headers: [(String, String)], payloadSHA256: String, date: Date
    ) -> [(String, String)] {
        let amzDate = AMZDate.basic(date)
        var added: [(String, String)] = [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadSHA256)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let callerHeaders = headers.filter { !Self.signerOwnedHeaders.contains($0.0.lowercased()) }
        if !callerHeaders.contains(where: { $0.0.lowercased() == "host" }) { added.append(("host", host)) }

        let canonical = Self.canonicalHeaders(callerHeaders + added)
        let request = canonicalRequest(
            method: method, path: path, query: query, canonicalHeaders: canonical,
            payloadSHA256: payloadSHA256)
        let scope = credentialScope(day: String(amzDate.prefix(8)))
        let toSign = stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: request)
        let signature = Hex.encode(Self.hmac(signingKey(day: String(amzDate.prefix(8))), Array(toSign.utf8)))
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }

    /// Every parameter RFC 3986-encoded, sorted by encoded name then value, each with '=' even when empty.
    public static func canonicalQueryString(_ query: [(String, String)]) -> String {
        query.map { (S3Path.encode($0.0), S3Path.encode($0.1)) }
            .sorted { $0.0 == $1.0 ? bytesPrecede($0.1, $1.1) : bytesPrecede($0.0, $1.0) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    // MARK: - The steps of the algorithm, internal so tests can compare each one with botocore.

    struct CanonicalHeaders: Equatable {
        var text: String  // "name:value\n" per header, sorted by name
        var signedHeaders: String  // "name;name;..."
    }

    /// Lower-cased names, values trimmed with inner whitespace runs collapsed; repeated names joined with ','.
    static func canonicalHeaders(_ headers: [(String, String)]) -> CanonicalHeaders {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            values[name.lowercased(), default: []].append(trimAll(value))
        }
        let names = values.keys.sorted(by: bytesPrecede)
        let text = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        return CanonicalHeaders(text: text, signedHeaders: names.joined(separator: ";"))
    }

    func canonicalRequest(
        method: String, path: String, query: [(String, String)],
        canonicalHeaders: CanonicalHeaders, payloadSHA256: String
    ) -> String {
        let uri = path.isEmpty ? "/" : path
        // S3 signs the path exactly as sent; every other service signs it encoded a second time.
        let canonicalURI = service == "s3" ? uri : S3Path.encode(uri, keepingSlash: true)
        return [
            method.uppercased(), canonicalURI, Self.canonicalQueryString(query), canonicalHeaders.text,
            canonicalHeaders.signedHeaders, payloadSHA256,
        ].joined(separator: "\n")
    }

    func credentialScope(day: String) -> String {
        "\(day)/\(region)/\(service)/aws4_request"
    }

    func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        let hashed = Hex.encode(SHA256Hasher.hash(Array(canonicalRequest.utf8)))
        return [Self.algorithm, amzDate, scope, hashed].joined(separator: "\n")
    }

    func signingKey(day: String) -> [UInt8] {
        let dateKey = Self.hmac(Array("AWS4\(credentials.secretAccessKey)".utf8), Array(day.utf8))
        let regionKey = Self.hmac(dateKey, Array(region.utf8))
        let serviceKey = Self.hmac(regionKey, Array(service.utf8))
        return Self.hmac(serviceKey, Array("aws4_request".utf8))
    }

    /// HMAC only fails on a broken libcrypto or a key over 2 GiB; neither is a condition a caller could
    /// handle, so it traps (like Cipher's SHA256Hasher) instead of making every signature throw.
    static func hmac(_ key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        do {
            return try HMACSHA256.authenticate(key: key, data: data)
        } catch {
            preconditionFailure("HMAC-SHA256 failed while signing: \(error)")
        }
    }

    static func trimAll(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .joined(separator: " ")
    }

    /// SigV4 sorts by byte value; String's `<` compares Unicode scalars, which agrees only for ASCII.
    static func bytesPrecede(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
