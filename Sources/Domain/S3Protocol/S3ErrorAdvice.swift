// S3ErrorAdvice: turns an S3 failure (status plus the parsed <Error> body, when there is one) into the
// lower-case message and next-step hint a Lifeboat user sees. Secrets never appear: only the bucket,
// the key, the server's code, region, storage class, request id and (for unknown codes) its message.

public enum S3ErrorAdvice {
    /// Maps (status, code) to a message and a hint. `bucketRegion` is the `x-amz-bucket-region` response
    /// header, which is all a body-less HEAD redirect carries; `storageClass` is what the caller already
    /// knows about the object, used when an InvalidObjectState body does not name it.
    public static func describe(
        status: Int, error: S3ErrorBody?, bucket: String, key: String?,
        bucketRegion: String? = nil, storageClass: String? = nil
    )
        -> (message: String, hint: String)
    {
        let context = Context(
            status: status, error: error, bucket: bucket, key: key,
            bucketRegion: bucketRegion, storageClass: storageClass)
        var (message, hint) = advice(context)
        if let requestId = error?.requestId { hint += " (s3 request id '\(requestId)')" }
        return (message, hint)
    }

    struct Context {
        var status: Int
        var error: S3ErrorBody?
        var bucket: String
        var key: String?
        var bucketRegion: String?
        var storageClass: String?

        /// The server's code, or the one its status implies when a HEAD response had no body to carry it.
        var code: String {
            if let code = error?.code { return code }
            switch status {
            case 301: return "PermanentRedirect"
            case 307: return "TemporaryRedirect"
            case 403: return "AccessDenied"
            case 404: return key == nil ? "NoSuchBucket" : "NoSuchKey"
            case 429, 503: return "SlowDown"
            case 500, 502, 504: return "InternalError"
            default: return ""
            }
        }

        var target: String {
            guard let key else { return "bucket '\(bucket)'" }
            return "object '\(key)' in bucket '\(bucket)'"
        }

        var region: String? {
            error?.region ?? bucketRegion ?? error?.endpoint.flatMap(S3ErrorAdvice.region(fromEndpoint:))
        }
    }

    static func advice(_ c: Context) -> (message: String, hint: String) {
        switch c.code {
        case "AccessDenied", "AllAccessDisabled":
            if c.error == nil {
                return (
                    "access denied to \(c.target) (the response carried no details)",
                    "check the credentials, the bucket policy and the local clock; a HEAD request cannot "
                        + "tell a policy denial from a bad signature"
                )
            }
            return (
                "access denied to \(c.target)",
                "check that the credentials' policy allows this operation on bucket '\(c.bucket)' "
                    + "(s3:ListBucket on the bucket; s3:GetObject, s3:PutObject, s3:DeleteObject on its objects)"
            )
        case "InvalidAccessKeyId":
            return (
                "the server does not recognise the access key id in use",
                "check AWS_ACCESS_KEY_ID or the profile's aws_access_key_id, and that the endpoint belongs "
                    + "to the service that issued the key"
            )
        case "SignatureDoesNotMatch":
            return (
                "the server rejected the request signature",
                "check the secret access key (AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key); "
                    + "a proxy that rewrites requests causes this too"
            )
        case "ExpiredToken", "TokenRefreshRequired", "InvalidToken":
            return (
                "the session token was rejected ('\(c.code)')",
                "refresh the temporary credentials (AWS_SESSION_TOKEN or the profile's aws_session_token)"
            )
        case "NoSuchBucket":
            return (
                "bucket '\(c.bucket)' does not exist",
                "check the bucket name, the endpoint and the region, or create the bucket"
            )
        case "NoSuchKey":
            return (
                "\(c.target) does not exist",
                "it may have been deleted by a lifecycle rule or another client"
            )
        case "NoSuchUpload":
            return (
                "the multipart upload of \(c.target) no longer exists",
                "it was completed, aborted, or removed by a lifecycle rule; upload the object again"
            )
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            return wrongRegion(c)
        case "TemporaryRedirect":
            return (
                "bucket '\(c.bucket)' is temporarily served from another endpoint",
                "use the bucket's regional endpoint, or retry in a few minutes (new buckets take time to propagate)"
            )
        case "RequestTimeTooSkewed":
            return (
                "the local clock differs too much from the server's clock",
                "synchronise the clock with ntp (chrony or systemd-timesyncd); s3 allows at most 15 minutes"
            )
        case "InvalidObjectState":
            return archived(c)
        case "SlowDown", "Throttling", "ThrottlingException", "RequestThrottled":
            return (
                "the server asked lifeboat to slow down ('\(c.code)')",
                "lower the upload concurrency, or run at a quieter time"
            )
        case "InternalError", "ServiceUnavailable", "RequestTimeout":
            return (
                "the server failed to handle the request for \(c.target) ('\(c.code)')",
                "retry later; if it persists, check the service's status"
            )
        case "EntityTooSmall":
            return (
                "a part of the multipart upload of \(c.target) is below the server's minimum part size",
                "every part except the last must be at least 5 MiB"
            )
        case "InvalidPart", "InvalidPartOrder":
            return (
                "the server rejected the part list completing the upload of \(c.target) ('\(c.code)')",
                "upload the object again; a part may have been overwritten or never stored"
            )
        case "ObjectLockConfigurationNotFoundError":
            return (
                "bucket '\(c.bucket)' has no object lock configuration",
                "object lock can only be enabled on a bucket created with it; create a new bucket "
                    + "with object lock enabled"
            )
        case "PreconditionFailed":
            return (
                "a precondition failed for \(c.target)",
                "the object changed or already exists; run the operation again"
            )
        case "NotImplemented":
            return (
                "the server does not implement this operation for \(c.target)",
                "s3-compatible servers differ from aws s3; check the server's documentation"
            )
        default:
            return unknown(c)
        }
    }

    private static func wrongRegion(_ c: Context) -> (message: String, hint: String) {
        if let region = c.region {
            return (
                "bucket '\(c.bucket)' is in region '\(region)', not the configured one",
                "set the region to '\(region)'"
            )
        }
        return (
            "bucket '\(c.bucket)' is not in the configured region ('\(c.code)')",
            "set the region the bucket was created in, or use the endpoint the bucket's console shows"
        )
    }

    private static func archived(_ c: Context) -> (message: String, hint: String) {
        let objectKey = c.key ?? "KEY"
        let restore =
            "restore it with RestoreObject (for example 'aws s3api restore-object --bucket \(c.bucket) "
            + "--key \(objectKey) --restore-request Days=7'), wait until the restore completes "
            + "(hours; up to 48 for DEEP_ARCHIVE), then retry"
        guard let storageClass = c.error?.storageClass ?? c.storageClass else {
            return ("\(c.target) is archived and cannot be read until it is restored", restore)
        }
        return (
            "\(c.target) is archived in storage class '\(storageClass)' and cannot be read until it is restored",
            restore
        )
    }

    private static func unknown(_ c: Context) -> (message: String, hint: String) {
        guard let error = c.error else {
            return (
                "s3 request for \(c.target) failed with status '\(c.status)'",
                "check the endpoint, the bucket name and the server's logs"
            )
        }
        let detail = sanitized(error.message)
        let suffix = detail.isEmpty ? "" : ": '\(detail)'"
        return (
            "s3 request for \(c.target) failed with status '\(c.status)' and code '\(error.code)'\(suffix)",
            "see the code and message above; they come from the server"
        )
    }

    /// Server messages are free text: keep them to one bounded line.
    static func sanitized(_ message: String) -> String {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return oneLine.count > 200 ? String(oneLine.prefix(200)) + "…" : oneLine
    }

    /// "bucket.s3.eu-west-1.amazonaws.com", "bucket.s3-us-west-2.amazonaws.com" → the region; nil otherwise.
    static func region(fromEndpoint endpoint: String) -> String? {
        let labels = endpoint.lowercased().split(separator: ".")
        guard let amazon = labels.firstIndex(of: "amazonaws"), amazon > 0 else { return nil }
        let label = labels[amazon - 1]
        let candidate = label.hasPrefix("s3-") ? label.dropFirst(3) : label
        guard candidate != "s3", candidate.contains("-"), candidate.contains(where: \.isNumber) else { return nil }
        return String(candidate)
    }
}
