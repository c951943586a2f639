// S3: the S3-compatible BlobStore. SigV4 signing, XML and retry rules come from S3Protocol (pure); bytes move
// through HTTPTransport (libcurl). This module composes them: addressing, retries, multipart, ranged reads.
import Foundation
import HTTPTransport
import S3Protocol
import Storage

public struct S3Configuration: Sendable {
    public enum Addressing: String, Sendable { case path, virtual }

    public var bucket: String
    /// Key prefix inside the bucket, without leading or trailing '/'; empty for the bucket root.
    public var prefix: String
    /// e.g. https://s3.us-east-1.amazonaws.com or http://127.0.0.1:9000
    public var endpoint: URL
    public var region: String
    public var addressing: Addressing
    public var credentials: AWSCredentials
    public var transport: TransportOptions
    /// Storage class of data objects (nil: the bucket's default, STANDARD).
    public var dataStorageClass: String?
    /// Storage class of manifests, keys, locks: always immediately readable.
    public var metadataStorageClass: String?
    /// Multipart part size on upload (doubling every 1,000 parts).
    public var partSize: Int
    /// The size of each ranged GET on download.
    public var rangeSize: Int
    /// Requests in flight per object: parts on upload, ranges ahead of the reader on download. An object in
    /// transfer holds at most (parallel + 1) × partSize bytes on upload, (parallel + 1) × rangeSize on download.
    public var parallel: Int
    public var serverSideEncryption: String?
    public var sseKMSKeyId: String?
    public var maxAttempts: Int
    /// Object Lock for every uploaded object except repository locks (`locks/`, deleted after each run);
    /// nil: objects get the bucket's default retention, if it has one.
    public var objectLock: UploadObjectLock?

    public init(
        bucket: String, prefix: String, endpoint: URL, region: String, addressing: Addressing,
        credentials: AWSCredentials, transport: TransportOptions, dataStorageClass: String? = nil,
        metadataStorageClass: String? = nil, partSize: Int = 8 << 20, rangeSize: Int = 16 << 20,
        parallel: Int = 3,
        serverSideEncryption: String? = nil, sseKMSKeyId: String? = nil, maxAttempts: Int = 5,
        objectLock: UploadObjectLock? = nil
    ) {
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = region
        self.addressing = addressing
        self.credentials = credentials
        self.transport = transport
        self.dataStorageClass = dataStorageClass
        self.metadataStorageClass = metadataStorageClass
        self.partSize = partSize
        self.rangeSize = rangeSize
        self.parallel = parallel
        self.serverSideEncryption = serverSideEncryption
        self.sseKMSKeyId = sseKMSKeyId
        self.maxAttempts = maxAttempts
        self.objectLock = objectLock
    }

    /// The AWS endpoint for a region, used when no endpoint is configured.
    public static func awsEndpoint(region: String) -> URL {
        URL(string: "https://s3.\(region).amazonaws.com")!
    }
}
