// S3XML: readers for the S3 response documents Lifeboat uses. Each checks the root element, so an HTML
// error page or a proxy's reply becomes `malformedResponse` rather than an empty listing.
import Foundation

public enum S3XML {
    public static func listObjectsV2(_ body: [UInt8]) throws
        -> (objects: [S3ObjectSummary], isTruncated: Bool, nextContinuationToken: String?)
    {
        let root = try document(body, root: "ListBucketResult", operation: "ListObjectsV2")
        let urlEncoded = root.value(of: "EncodingType") == "url"
        let objects = try root.children(named: "Contents").map { try objectSummary($0, urlEncoded: urlEncoded) }
        let isTruncated = try flag(root, "IsTruncated", operation: "ListObjectsV2")
        let token = root.value(of: "NextContinuationToken")
        // Trusting "truncated" without a token would either loop on page one or silently stop early.
        if isTruncated && token == nil {
            throw S3ProtocolError.malformedResponse("'ListObjectsV2' is truncated but has no 'NextContinuationToken'")
        }
        return (objects, isTruncated, token)
    }

    public static func initiateMultipartUpload(_ body: [UInt8]) throws -> String {
        let root = try document(body, root: "InitiateMultipartUploadResult", operation: "CreateMultipartUpload")
        guard let uploadId = root.value(of: "UploadId") else {
            throw S3ProtocolError.malformedResponse("'CreateMultipartUpload' result has no 'UploadId'")
        }
        return uploadId
    }

    /// CompleteMultipartUpload can fail after the 200 status line was sent; the body then is an <Error>
    /// document. Returns that error, nil for a real CompleteMultipartUploadResult, throws for anything else.
    public static func completeMultipartUploadResult(_ body: [UInt8]) throws -> S3ErrorBody? {
        guard let root = XMLTree.parse(body) else {
            throw S3ProtocolError.malformedResponse("'CompleteMultipartUpload' returned no xml document")
        }
        switch root.name {
        case "CompleteMultipartUploadResult": return nil
        case "Error":
            return errorBody(root) ?? S3ErrorBody(code: "InternalError", message: "error without a code")
        default:
            throw unexpectedRoot(
                root.name, expected: "CompleteMultipartUploadResult",
                operation: "CompleteMultipartUpload")
        }
    }

    public static func listMultipartUploads(_ body: [UInt8]) throws
        -> (
            uploads: [(key: String, uploadId: String, initiated: Date?)], isTruncated: Bool,
            nextKeyMarker: String?, nextUploadIdMarker: String?
        )
    {
        let root = try document(body, root: "ListMultipartUploadsResult", operation: "ListMultipartUploads")
        let urlEncoded = root.value(of: "EncodingType") == "url"
        var uploads: [(key: String, uploadId: String, initiated: Date?)] = []
        for upload in root.children(named: "Upload") {
            guard let rawKey = upload.text(of: "Key"), let uploadId = upload.value(of: "UploadId") else {
                throw S3ProtocolError.malformedResponse("'ListMultipartUploads' upload without 'Key' or 'UploadId'")
            }
            let key = try decodeKey(rawKey, urlEncoded: urlEncoded, operation: "ListMultipartUploads")
            uploads.append((key, uploadId, upload.value(of: "Initiated").flatMap(AMZDate.parseISO8601)))
        }
        let isTruncated = try flag(root, "IsTruncated", operation: "ListMultipartUploads")
        let nextKey = try root.text(of: "NextKeyMarker").flatMap { $0.isEmpty ? nil : $0 }
            .map { try decodeKey($0, urlEncoded: urlEncoded, operation: "ListMultipartUploads") }
        return (uploads, isTruncated, nextKey, root.value(of: "NextUploadIdMarker"))
    }

    /// Versions and delete markers in the order S3 lists them (by key, newest first). The two markers
    /// continue a truncated listing together.
    public static func listObjectVersions(_ body: [UInt8]) throws
        -> (versions: [S3ObjectVersion], isTruncated: Bool, nextKeyMarker: String?, nextVersionIdMarker: String?)
    {
        let operation = "ListObjectVersions"
        let root = try document(body, root: "ListVersionsResult", operation: operation)
        let urlEncoded = root.value(of: "EncodingType") == "url"
        var versions: [S3ObjectVersion] = []
        for entry in root.children where entry.name == "Version" || entry.name == "DeleteMarker" {
            guard let rawKey = entry.text(of: "Key"), let versionId = entry.value(of: "VersionId") else {
                throw S3ProtocolError.malformedResponse("'\(operation)' entry without 'Key' or 'VersionId'")
            }
            versions.append(
                S3ObjectVersion(
                    key: try decodeKey(rawKey, urlEncoded: urlEncoded, operation: operation),
                    versionId: versionId, isDeleteMarker: entry.name == "DeleteMarker",
                    isLatest: try flag(entry, "IsLatest", operation: operation)))
        }
        let isTruncated = try flag(root, "IsTruncated", operation: operation)
        let nextKey = try root.text(of: "NextKeyMarker").flatMap { $0.isEmpty ? nil : $0 }
            .map { try decodeKey($0, urlEncoded: urlEncoded, operation: operation) }
        let nextVersion = root.value(of: "NextVersionIdMarker")
        // Like ListObjectsV2: "truncated" without a marker would loop on page one.
        if isTruncated && nextKey == nil {
            throw S3ProtocolError.malformedResponse("'\(operation)' is truncated but has no 'NextKeyMarker'")
        }
        return (versions, isTruncated, nextKey, nextVersion)
    }

    /// The <Error> document of a failed request; nil when the body is empty, not XML, or not an error.
    public static func error(_ body: [UInt8]) -> S3ErrorBody? {
        guard let root = XMLTree.parse(body), root.name == "Error" else { return nil }
        return errorBody(root)
    }

    /// "Enabled" or "Suspended"; nil when versioning was never configured (an empty configuration).
    public static func versioningStatus(_ body: [UInt8]) throws -> String? {
        let root = try document(body, root: "VersioningConfiguration", operation: "GetBucketVersioning")
        return root.value(of: "Status")
    }

    public static func objectLockConfiguration(_ body: [UInt8]) throws
        -> (enabled: Bool, mode: String?, days: Int?, years: Int?)
    {
        let operation = "GetObjectLockConfiguration"
        let root = try document(body, root: "ObjectLockConfiguration", operation: operation)
        let retention = root.child("Rule")?.child("DefaultRetention")
        return (
            root.value(of: "ObjectLockEnabled") == "Enabled",
            retention?.value(of: "Mode"),
            try retention.flatMap { try integer($0, "Days", operation: operation) },
            try retention.flatMap { try integer($0, "Years", operation: operation) }
        )
    }

    // MARK: - Shared pieces

    private static func document(_ body: [UInt8], root name: String, operation: String) throws -> XMLNode {
        guard let root = XMLTree.parse(body) else {
            throw S3ProtocolError.malformedResponse("'\(operation)' returned no well-formed xml document")
        }
        // Some S3-compatible servers (moto among them) name the root after the operation, e.g.
        // <GetBucketVersioningResponse>, and may wrap the payload one level deeper: accept that shape too.
        if root.name == name { return root }
        guard root.name.hasPrefix(operation) else {
            throw unexpectedRoot(root.name, expected: name, operation: operation)
        }
        return root.child(name) ?? root.children.first { $0.name.hasSuffix("Result") } ?? root
    }

    private static func unexpectedRoot(_ found: String, expected: String, operation: String) -> S3ProtocolError {
        .malformedResponse("'\(operation)' returned a '\(found)' document instead of '\(expected)'")
    }

    static func errorBody(_ root: XMLNode) -> S3ErrorBody? {
        guard let code = root.value(of: "Code") else { return nil }
        return S3ErrorBody(
            code: code, message: root.value(of: "Message") ?? "", region: root.value(of: "Region"),
            requestId: root.value(of: "RequestId"), endpoint: root.value(of: "Endpoint"),
            storageClass: root.value(of: "StorageClass"))
    }

    private static func objectSummary(_ node: XMLNode, urlEncoded: Bool) throws -> S3ObjectSummary {
        let operation = "ListObjectsV2"
        guard let rawKey = node.text(of: "Key") else {
            throw S3ProtocolError.malformedResponse("'\(operation)' entry without 'Key'")
        }
        let key = try decodeKey(rawKey, urlEncoded: urlEncoded, operation: operation)
        guard let sizeText = node.value(of: "Size"), let size = Int64(sizeText), size >= 0 else {
            throw S3ProtocolError.malformedResponse("'\(operation)' entry '\(key)' has no valid 'Size'")
        }
        guard let modified = node.value(of: "LastModified").flatMap(AMZDate.parseISO8601) else {
            throw S3ProtocolError.malformedResponse("'\(operation)' entry '\(key)' has no valid 'LastModified'")
        }
        return S3ObjectSummary(
            key: key, size: size, lastModified: modified,
            storageClass: node.value(of: "StorageClass"), eTag: node.value(of: "ETag"))
    }

    /// With `encoding-type=url` S3 form-encodes keys ('+' for space), as botocore's decoder assumes.
    private static func decodeKey(_ raw: String, urlEncoded: Bool, operation: String) throws -> String {
        guard urlEncoded else { return raw }
        guard let key = S3Path.decodeFormEncoded(raw) else {
            throw S3ProtocolError.malformedResponse("'\(operation)' returned a badly url-encoded key")
        }
        return key
    }

    private static func flag(_ node: XMLNode, _ name: String, operation: String) throws -> Bool {
        switch node.value(of: name)?.lowercased() {
        case nil, "false": return false
        case "true": return true
        case let other?: throw S3ProtocolError.malformedResponse("'\(operation)' has '\(name)' = '\(other)'")
        }
    }

    private static func integer(_ node: XMLNode, _ name: String, operation: String) throws -> Int? {
        guard let text = node.value(of: name) else { return nil }
        guard let value = Int(text) else {
            throw S3ProtocolError.malformedResponse("'\(operation)' has a non-numeric '\(name)'")
        }
        return value
    }
}
