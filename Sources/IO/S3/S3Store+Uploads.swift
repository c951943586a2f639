// Incomplete multipart uploads under the store's prefix: listed for `check` and tests, aborted by cleanup.
import Foundation
import S3Protocol

extension S3Store {
    public struct IncompleteUpload: Sendable {
        public let key: String
        public let uploadId: String
        public let initiated: Date?
    }

    public func incompleteUploads() throws -> [IncompleteUpload] {
        var uploads: [IncompleteUpload] = []
        var keyMarker: String?
        var uploadMarker: String?
        repeat {
            var request = S3Request(operation: "listing of incomplete uploads", method: .get, key: nil)
            request.query = [
                ("uploads", ""), ("prefix", configuration.prefix.isEmpty ? "" : configuration.prefix + "/"),
            ]
            if let keyMarker { request.query.append(("key-marker", keyMarker)) }
            if let uploadMarker { request.query.append(("upload-id-marker", uploadMarker)) }
            let page = try S3XML.listMultipartUploads(try perform(request).body)
            uploads += page.uploads.map {
                IncompleteUpload(key: $0.key, uploadId: $0.uploadId, initiated: $0.initiated)
            }
            (keyMarker, uploadMarker) = page.isTruncated ? (page.nextKeyMarker, page.nextUploadIdMarker) : (nil, nil)
        } while keyMarker != nil
        return uploads
    }

    public func abortUpload(_ upload: IncompleteUpload) throws {
        var request = S3Request(
            operation: "abort of multipart upload '\(upload.key)'", method: .delete, key: upload.key)
        request.query = [("uploadId", upload.uploadId)]
        _ = try perform(request)
    }
}
