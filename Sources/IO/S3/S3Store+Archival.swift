// ArchivalOperations on S3: storage classes, rehydration of archived objects (RestoreObject) and Object Lock.
// - Storage classes change in place with CopyObject onto the same key (the mechanism the tiering policy
//   uses). Objects over 5 GiB would need UploadPartCopy, which is not implemented yet.
// - Rehydration state comes from HEAD (x-amz-storage-class, x-amz-restore), parsed in S3Protocol.
// - Retention and legal hold requests carry Content-MD5, which AWS requires on them.
// deleteAllVersions lives in S3Store+Versions.swift.
import Cipher
import Foundation
import S3Protocol
import Storage

extension S3Store: ArchivalOperations {
    public func setStorageClass(_ storageClass: String, for key: ObjectKey) throws {
        let full = fullKey(key)
        var request = S3Request(
            operation: "storage class change of '\(key)' to \(storageClass)", method: .put, key: full)
        request.headers = [
            ("x-amz-copy-source", "/" + configuration.bucket + "/" + S3Path.encodeKey(full)),
            ("x-amz-metadata-directive", "COPY"), ("x-amz-storage-class", storageClass),
        ]
        if let sse = configuration.serverSideEncryption {
            request.headers.append(("x-amz-server-side-encryption", sse))
        }
        let response = try perform(request)
        // CopyObject, like CompleteMultipartUpload, can fail with 200 and an <Error> body.
        if let error = S3XML.error(response.body) {
            throw failure(request, status: 200, body: error, attempts: ["HTTP 200 \(error.code)"])
        }
    }

    public func rehydration(of key: ObjectKey) throws -> Rehydration {
        let headers = try existingHeaders(key, operation: "rehydration status of '\(key)'")
        let storageClass = headers["x-amz-storage-class"] ?? "STANDARD"
        guard S3RestoreStatus.isArchiveClass(storageClass) else {
            return Rehydration(storageClass: storageClass, state: .online)
        }
        switch S3RestoreStatus.parse(headers["x-amz-restore"]) {
        case nil: return Rehydration(storageClass: storageClass, state: .archived)
        case let status? where status.ongoing: return Rehydration(storageClass: storageClass, state: .inProgress)
        case let status?: return Rehydration(storageClass: storageClass, state: .restored(until: status.expiry))
        }
    }

    /// Online and in-progress objects need no request (S3 refuses RestoreObject on a non-archive class). A
    /// restored copy is asked for again: S3 then moves its expiry to `days` from now.
    public func requestRehydration(of key: ObjectKey, days: Int, tier: RehydrationTier) throws {
        switch try rehydration(of: key).state {
        case .online, .inProgress: return
        case .archived, .restored: break
        }
        var request = S3Request(operation: "rehydration request of '\(key)'", method: .post, key: fullKey(key))
        request.query = [("restore", "")]
        request.headers = [("content-type", "application/xml")]
        let body = S3XML.restoreRequest(days: days, tier: tier.rawValue)
        request.body = .bytes(body, sha256: Hex.encode(SHA256Hasher.hash(body)))
        do {
            _ = try perform(request)
        } catch let error as S3Error {
            // Another run (or the HEAD above racing one) already started it: the request is in place.
            guard case .request(_, 409, "RestoreAlreadyInProgress", _, _, _) = error else { throw error }
        }
    }

    public func objectLock(of key: ObjectKey) throws -> ObjectLockState {
        let lock = S3ObjectLockHeaders.parse(try existingHeaders(key, operation: "object lock status of '\(key)'"))
        return ObjectLockState(mode: lock.mode, retainUntil: lock.retainUntil, legalHold: lock.legalHold)
    }

    public func extendObjectLock(of key: ObjectKey, mode: String, until: Date) throws {
        let current = try objectLock(of: key)
        guard S3ObjectLockHeaders.extends(current: current.retainUntil, to: until) else { return }
        let until = S3ObjectLockHeaders.retainUntilText(until)
        var request = S3Request(
            operation: "extension of the object lock of '\(key)' to \(until)", method: .put, key: fullKey(key))
        request.query = [("retention", "")]
        try performWithMD5(&request, body: S3XML.retentionRequest(mode: mode, retainUntil: until))
    }

    public func setLegalHold(_ on: Bool, for key: ObjectKey) throws {
        var request = S3Request(
            operation: "legal hold \(on ? "on" : "off") for '\(key)'", method: .put, key: fullKey(key))
        request.query = [("legal-hold", "")]
        try performWithMD5(&request, body: S3XML.legalHoldRequest(on: on))
    }

    // MARK: helpers

    /// HEAD headers of an object that must exist: a missing one is `StoreError.notFound`.
    func existingHeaders(_ key: ObjectKey, versionId: String? = nil, operation: String) throws -> [String: String] {
        guard let headers = try headHeaders(key, versionId: versionId, operation: operation) else {
            throw StoreError.notFound(key: key.rawValue, store: location)
        }
        return headers
    }

    private func performWithMD5(_ request: inout S3Request, body: [UInt8]) throws {
        request.headers = [("content-type", "application/xml"), ContentMD5.header(for: body)]
        request.body = .bytes(body, sha256: Hex.encode(SHA256Hasher.hash(body)))
        _ = try perform(request)
    }
}
