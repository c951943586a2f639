// RepositorySettings: where the repository is and, for S3, how to talk to it (endpoint, TLS, storage classes,
// part and range sizes and parallel transfers, server-side encryption). Defaults follow what AWS tools do when a setting is absent.

public struct RepositorySettings: Sendable, Equatable, Codable {
    /// How the bucket is addressed: `https://endpoint/bucket/key` or `https://bucket.endpoint/key`.
    public enum Addressing: String, Sendable, Equatable, Codable, CaseIterable {
        case path
        case virtual
    }

    public static let defaultRegion = "us-east-1"
    /// Uploads and downloads want different request sizes: an upload keeps more requests busy with smaller parts
    /// (a part is filled and hashed before it is sent), a download pays a request's latency per range, so fewer,
    /// larger ranges win (measured against the S3 test server in scripts/bench.sh s3, README "S3-compatible").
    public static let defaultPartSize = 8 * ByteSize.mebibyte
    /// S3 refuses multipart parts below 5 MiB (except the last) and above 5 GiB.
    public static let partSizeRange = (5 * ByteSize.mebibyte)...(5 * ByteSize.gibibyte)
    public static let defaultRangeSize = 16 * ByteSize.mebibyte
    /// S3 has no limit on a range; below 1 MiB requests cost more than they carry, above 1 GiB memory explodes.
    public static let rangeSizeRange = ByteSize.mebibyte...ByteSize.gibibyte
    /// Parts uploaded, and ranges downloaded ahead, at once per object: 3 keeps an object's transfer buffers at
    /// 4 × part size (32 MiB) on upload and 4 × range size (64 MiB) on download by default.
    public static let defaultParallel = 3
    public static let parallelRange = 1...64
    public static let serverSideEncryptions = ["AES256", "aws:kms"]

    public var location: RepositoryLocation
    /// An S3-compatible endpoint such as `http://127.0.0.1:9000`; nil means AWS.
    public var endpoint: String?
    public var region: String
    public var addressing: Addressing
    /// Extra CA certificates (PEM) to trust for the endpoint, absolute.
    public var caFile: String?
    public var insecureSkipTLSVerify: Bool
    /// Storage class for data objects; nil means the bucket default.
    public var storageClass: String?
    /// Storage class for metadata (manifests, catalog), which must stay immediately readable.
    public var metadataStorageClass: String?
    /// Multipart upload part size in bytes.
    public var partSize: Int
    /// Size of each ranged GET of a download, in bytes.
    public var rangeSize: Int
    /// Requests in flight per object: multipart parts on upload, ranged GETs ahead of the reader on download.
    public var parallel: Int
    /// Server-side encryption: "AES256" or "aws:kms"; nil means none requested.
    public var sse: String?
    public var sseKMSKeyID: String?

    public init(
        location: RepositoryLocation,
        endpoint: String? = nil,
        region: String = RepositorySettings.defaultRegion,
        addressing: Addressing? = nil,
        caFile: String? = nil,
        insecureSkipTLSVerify: Bool = false,
        storageClass: String? = nil,
        metadataStorageClass: String? = nil,
        partSize: Int = RepositorySettings.defaultPartSize,
        rangeSize: Int = RepositorySettings.defaultRangeSize,
        parallel: Int = RepositorySettings.defaultParallel,
        sse: String? = nil,
        sseKMSKeyID: String? = nil
    ) {
        self.location = location
        self.endpoint = endpoint
        self.region = region
        self.addressing = addressing ?? Self.defaultAddressing(endpoint: endpoint)
        self.caFile = caFile
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.storageClass = storageClass
        self.metadataStorageClass = metadataStorageClass
        self.partSize = partSize
        self.rangeSize = rangeSize
        self.parallel = parallel
        self.sse = sse
        self.sseKMSKeyID = sseKMSKeyID
    }

    /// Virtual-hosted style for AWS (path style is deprecated there), path style for custom endpoints
    /// (MinIO, Ceph, moto and most others expect it) — the rule minio-go calls "auto" lookup.
    public static func defaultAddressing(endpoint: String?) -> Addressing {
        endpoint == nil ? .virtual : .path
    }

    enum CodingKeys: String, CodingKey {
        case location = "url"
        case endpoint, region, addressing
        case caFile = "ca_file"
        case insecureSkipTLSVerify = "insecure_skip_tls_verify"
        case storageClass = "storage_class"
        case metadataStorageClass = "metadata_storage_class"
        case partSize = "part_size"
        case rangeSize = "range_size"
        case parallel
        case sse
        case sseKMSKeyID = "sse_kms_key_id"
    }
}
