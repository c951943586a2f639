// S3ErrorBody: the <Error> document S3 and compatible servers return with failed requests (and, for
// CompleteMultipartUpload and CopyObject, sometimes with status 200).

public struct S3ErrorBody: Sendable, Equatable {
    public var code: String
    /// Empty when the server sends none (Ceph RGW often omits it).
    public var message: String
    /// The bucket's region, sent with AuthorizationHeaderMalformed and some redirects.
    public var region: String?
    public var requestId: String?
    /// The endpoint to use instead, sent with PermanentRedirect ("bucket.s3.eu-west-1.amazonaws.com").
    public var endpoint: String?
    /// The object's storage class, sent with InvalidObjectState for archived objects.
    public var storageClass: String?

    public init(
        code: String, message: String, region: String? = nil, requestId: String? = nil,
        endpoint: String? = nil, storageClass: String? = nil
    ) {
        self.code = code
        self.message = message
        self.region = region
        self.requestId = requestId
        self.endpoint = endpoint
        self.storageClass = storageClass
    }
}
