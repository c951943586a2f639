// S3Store: the BlobStore contract on S3-compatible object storage.
// - put / committed writers are atomic by S3's nature (an object appears whole on PUT or
//   CompleteMultipartUpload); an aborted writer aborts its multipart upload.
// - createExclusive uses a conditional PUT (If-None-Match: *), which S3 answers 412 when the key exists.
// - Every call goes through an S3RequestExecutor chain: signed afresh per attempt and, in the chain every
//   caller builds (StoreFactory, or the convenience initialiser), retried only on transient failures.
// - It claims every capability: storage classes, rehydration, Object Lock and versions through `archival`
//   (itself, S3Store+Archival.swift) and the bucket's settings and incomplete uploads through `bucket`.
import Cipher
import Foundation
import HTTPTransport
import S3Protocol
import Storage

public final class S3Store: BlobStore, @unchecked Sendable {
    // Immutable configuration plus a thread-safe client pool: safe to share across threads.
    public let configuration: S3Configuration
    /// Sends every request; `configuration` above decides only what requests the store makes.
    let executor: any S3RequestExecutor
    /// `repository.parallel`, shared by the transfers running at once.
    let transfers: S3TransferShare

    /// A store sending its requests through `executor` (built from the same configuration's endpoint and
    /// credentials, with whatever decorators the caller composed).
    public init(_ configuration: S3Configuration, executor: any S3RequestExecutor) {
        self.configuration = configuration
        self.executor = executor
        self.transfers = S3TransferShare(parallel: configuration.parallel)
    }

    /// The standard chain without logging: requests signed and sent by S3HTTPExecutor, retried up to
    /// `configuration.maxAttempts` times, waiting with `sleeper` (tests pass a no-op).
    public convenience init(
        _ configuration: S3Configuration,
        sleeper: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) {
        let executor = S3RetryingExecutor(
            S3HTTPExecutor(configuration), maxAttempts: configuration.maxAttempts,
            sleeper: sleeper)
        self.init(configuration, executor: executor)
    }

    public var capabilities: StoreCapabilities {
        [.exclusiveCreate, .storageClasses, .rehydration, .objectLock, .versioning, .incompleteUploads]
    }

    public var archival: (any ArchivalOperations)? { self }
    public var bucket: (any BucketOperations)? { S3Bucket(store: self) }

    public var location: String {
        "s3://\(configuration.bucket)" + (configuration.prefix.isEmpty ? "" : "/\(configuration.prefix)")
    }

    func fullKey(_ key: ObjectKey) -> String {
        configuration.prefix.isEmpty ? key.rawValue : configuration.prefix + "/" + key.rawValue
    }

    public func objectKey(fromFull full: String) -> ObjectKey? {
        let prefix = configuration.prefix.isEmpty ? "" : configuration.prefix + "/"
        guard full.hasPrefix(prefix) else { return nil }
        return try? ObjectKey(String(full.dropFirst(prefix.count)))
    }

    // MARK: BlobStore

    public func put(_ key: ObjectKey, data: [UInt8]) throws {
        var request = S3Request(operation: "upload of '\(key)'", method: .put, key: fullKey(key))
        request.headers = uploadHeaders(for: key) + integrityHeaders(for: data)
        request.body = .bytes(data, sha256: Hex.encode(SHA256Hasher.hash(data)))
        _ = try perform(request)
    }

    public func makeWriter(for key: ObjectKey) throws -> BlobWriter {
        S3ObjectWriter(store: self, key: key)
    }

    public func open(_ key: ObjectKey) throws -> BlobReader {
        try S3RangeReader(store: self, key: key, rangeSize: Int64(configuration.rangeSize))
    }

    public func head(_ key: ObjectKey) throws -> BlobInfo? {
        guard let headers = try headHeaders(key, operation: "status of '\(key)'") else { return nil }
        let size = Int64(headers["content-length"] ?? "") ?? 0
        let modified = headers["last-modified"].flatMap(Self.httpDate) ?? Date()
        return BlobInfo(
            key: key, size: size, modified: modified, storageClass: headers["x-amz-storage-class"] ?? "STANDARD")
    }

    /// HEAD of the current version (or of `versionId`): its response headers, nil when there is no such object.
    func headHeaders(_ key: ObjectKey, versionId: String? = nil, operation: String) throws -> [String: String]? {
        var request = S3Request(operation: operation, method: .head, key: fullKey(key))
        if let versionId { request.query = [("versionId", versionId)] }
        do {
            return try perform(request).headers
        } catch let error as S3Error {
            guard case .request(_, let status, nil, _, _, _) = error else { throw error }
            if status == 404 { return nil }
            // A HEAD error has no body, so a bad signature and a denied permission look alike. A one-byte GET
            // of the same key brings the server's error document, whose advice names the real cause.
            if status == 403 { try explainForbidden(request) }
            throw error
        }
    }

    private func explainForbidden(_ head: S3Request) throws {
        var probe = head
        probe.method = .get
        probe.headers = [("range", "bytes=0-0")]
        _ = try perform(probe)
    }

    public func list(prefix: String) throws -> [BlobInfo] {
        let fullPrefix = configuration.prefix.isEmpty ? prefix : configuration.prefix + "/" + prefix
        var results: [BlobInfo] = []
        var token: String?
        repeat {
            var request = S3Request(operation: "listing of '\(prefix)'", method: .get, key: nil)
            request.query =
                [("list-type", "2"), ("prefix", fullPrefix)] + (token.map { [("continuation-token", $0)] } ?? [])
            let page = try S3XML.listObjectsV2(try perform(request).body)
            for object in page.objects {
                guard let key = objectKey(fromFull: object.key) else { continue }
                results.append(
                    BlobInfo(
                        key: key, size: object.size, modified: object.lastModified,
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
        request.headers = uploadHeaders(for: key) + integrityHeaders(for: data) + [("if-none-match", "*")]
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

    /// Storage class, server-side encryption and Object Lock headers for an upload of `key` (PutObject and
    /// CreateMultipartUpload).
    func uploadHeaders(for key: ObjectKey, now: Date = Date()) -> [(String, String)] {
        var headers: [(String, String)] = []
        // Repository locks are deleted when the run ends, and the WAL receiver's partial segments and state are
        // replaced every few seconds (docs/format.md §8.7): a retention period would only keep dead versions.
        if let lock = configuration.objectLock, !key.rawValue.hasPrefix("locks/"), !Self.isReplacedOften(key) {
            headers += S3ObjectLockHeaders.upload(mode: lock.mode, days: lock.days, now: now)
        }
        let storageClass = Self.isMetadata(key) ? configuration.metadataStorageClass : configuration.dataStorageClass
        if let storageClass { headers.append(("x-amz-storage-class", storageClass)) }
        if let sse = configuration.serverSideEncryption {
            headers.append(("x-amz-server-side-encryption", sse))
            if let kms = configuration.sseKMSKeyId {
                headers.append(("x-amz-server-side-encryption-aws-kms-key-id", kms))
            }
        }
        return headers
    }

    /// Content-MD5 for a request body when Object Lock is configured. AWS refuses PutObject and UploadPart
    /// without an integrity header on locked uploads, and also on any upload to a bucket with default
    /// retention, which a bucket set up for Object Lock usually has; so `locks/` uploads carry it too.
    /// Without Object Lock it is left out: the signed x-amz-content-sha256 already protects the body.
    func integrityHeaders(for body: [UInt8]) -> [(String, String)] {
        configuration.objectLock == nil ? [] : [ContentMD5.header(for: body)]
    }

    /// `wal/<cluster>/partial/…` and `wal/<cluster>/receiver.lbx`: rewritten by `wal receive` every few seconds.
    static func isReplacedOften(_ key: ObjectKey) -> Bool {
        let parts = key.rawValue.split(separator: "/")
        return parts.count >= 3 && parts[0] == "wal"
            && ((parts.count == 4 && parts[2] == "partial") || (parts.count == 3 && parts[2] == "receiver.lbx"))
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
