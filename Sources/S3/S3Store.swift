// S3Store: the BlobStore contract on S3-compatible object storage.
// - put / committed writers are atomic by S3's nature (an object appears whole on PUT or
//   CompleteMultipartUpload); an aborted writer aborts its multipart upload.
// - createExclusive uses a conditional PUT (If-None-Match: *), which S3 answers 412 when the key exists.
// - Every call is signed afresh per attempt and retried only on transient failures (RetryPolicy).
import Cipher
import Foundation
import HTTPTransport
import S3Protocol
import Storage

public final class S3Store: BlobStore, @unchecked Sendable {
    // Immutable configuration plus a thread-safe client pool: safe to share across threads.
    public let configuration: S3Configuration
    let signer: SigV4Signer
    let clients: ClientPool
    let sleeper: @Sendable (TimeInterval) -> Void

    public init(_ configuration: S3Configuration, sleeper: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.clients = ClientPool(options: configuration.transport)
        self.sleeper = sleeper
    }

    public var location: String {
        "s3://\(configuration.bucket)" + (configuration.prefix.isEmpty ? "" : "/\(configuration.prefix)")
    }

    func fullKey(_ key: ObjectKey) -> String {
        configuration.prefix.isEmpty ? key.rawValue : configuration.prefix + "/" + key.rawValue
    }

    func objectKey(fromFull full: String) -> ObjectKey? {
        let prefix = configuration.prefix.isEmpty ? "" : configuration.prefix + "/"
        guard full.hasPrefix(prefix) else { return nil }
        return try? ObjectKey(String(full.dropFirst(prefix.count)))
    }

    // MARK: BlobStore

    public func put(_ key: ObjectKey, data: [UInt8]) throws {
        var request = S3Request(operation: "upload of '\(key)'", method: .put, key: fullKey(key))
        request.headers = uploadHeaders(for: key)
        request.body = .bytes(data, sha256: Hex.encode(SHA256Hasher.hash(data)))
        _ = try perform(request)
    }

    public func makeWriter(for key: ObjectKey) throws -> BlobWriter {
        S3ObjectWriter(store: self, key: key)
    }

    public func open(_ key: ObjectKey) throws -> BlobReader {
        try S3RangeReader(store: self, key: key)
    }

    public func head(_ key: ObjectKey) throws -> BlobInfo? {
        let request = S3Request(operation: "status of '\(key)'", method: .head, key: fullKey(key))
        do {
            let response = try perform(request)
            let size = Int64(response.headers["content-length"] ?? "") ?? 0
            let modified = response.headers["last-modified"].flatMap(Self.httpDate) ?? Date()
            return BlobInfo(key: key, size: size, modified: modified, storageClass: response.headers["x-amz-storage-class"] ?? "STANDARD")
        } catch let error as S3Error {
            guard case .request(_, let status, nil, _, _, _) = error else { throw error }
            if status == 404 { return nil }
            // A HEAD error has no body, so a bad signature and a denied permission look alike. A one-byte GET
            // of the same key brings the server's error document, whose advice names the real cause.
            if status == 403 { try explainForbidden(key) }
            throw error
        }
    }

    private func explainForbidden(_ key: ObjectKey) throws {
        var probe = S3Request(operation: "status of '\(key)'", method: .get, key: fullKey(key))
        probe.headers = [("range", "bytes=0-0")]
        _ = try perform(probe)
    }

    public func list(prefix: String) throws -> [BlobInfo] {
        let fullPrefix = configuration.prefix.isEmpty ? prefix : configuration.prefix + "/" + prefix
        var results: [BlobInfo] = [], token: String?
        repeat {
            var request = S3Request(operation: "listing of '\(prefix)'", method: .get, key: nil)
            request.query = [("list-type", "2"), ("prefix", fullPrefix)] + (token.map { [("continuation-token", $0)] } ?? [])
            let page = try S3XML.listObjectsV2(try perform(request).body)
            for object in page.objects {
                guard let key = objectKey(fromFull: object.key) else { continue }
                results.append(BlobInfo(key: key, size: object.size, modified: object.lastModified,
                                        storageClass: object.storageClass ?? "STANDARD"))
            }
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        return results.sorted { $0.key < $1.key }
    }

    public func delete(_ key: ObjectKey) throws {
        _ = try perform(S3Request(operation: "deletion of '\(key)'", method: .delete, key: fullKey(key)))
    }

    public func createExclusive(_ key: ObjectKey, data: [UInt8]) throws -> Bool {
        var request = S3Request(operation: "exclusive creation of '\(key)'", method: .put, key: fullKey(key))
        request.headers = uploadHeaders(for: key) + [("if-none-match", "*")]
        request.body = .bytes(data, sha256: Hex.encode(SHA256Hasher.hash(data)))
        do {
            _ = try perform(request)
            return true
        } catch let error as S3Error {
            if case .request(_, 412, _, _, _, _) = error { return false }
            throw error
        }
    }

    // MARK: helpers

    /// Storage class and server-side encryption headers for an upload of `key`.
    func uploadHeaders(for key: ObjectKey) -> [(String, String)] {
        var headers: [(String, String)] = []
        let storageClass = Self.isMetadata(key) ? configuration.metadataStorageClass : configuration.dataStorageClass
        if let storageClass { headers.append(("x-amz-storage-class", storageClass)) }
        if let sse = configuration.serverSideEncryption {
            headers.append(("x-amz-server-side-encryption", sse))
            if let kms = configuration.sseKMSKeyId { headers.append(("x-amz-server-side-encryption-aws-kms-key-id", kms)) }
        }
        return headers
    }

    /// Manifests, keys, locks and the descriptor stay in a hot class; only backup data may be tiered.
    static func isMetadata(_ key: ObjectKey) -> Bool {
        !(key.rawValue.hasPrefix("backups/") && !key.rawValue.hasSuffix("/manifest.lbx"))
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
