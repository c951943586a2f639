// Deleting every version of a key, so that storage is really freed on a versioned bucket (a plain DELETE
// there only adds a delete marker and keeps every byte billed).
// - The current version (IsLatest) is deleted last, so if Object Lock refuses any version, the object still
//   reads exactly as before. (Listing order is not relied on: moto's pages, for one, list delete markers
//   after versions.)
// - A key listed only with the "null" version lives in an unversioned bucket: one plain DELETE removes it and
//   needs only s3:DeleteObject, where a version DELETE needs s3:DeleteObjectVersion.
// - A refused version (403 AccessDenied) is checked with a HEAD of that version: retention or legal hold
//   makes it `StoreError.objectLocked`; anything else (a missing permission) stays the S3 error. Neither is
//   retried: waiting does not lift a lock.
import Foundation
import S3Protocol
import Storage

extension S3Store {
    public func deleteAllVersions(_ key: ObjectKey) throws {
        let versions = try versions(of: key)
        if versions.isEmpty { return }  // nothing stored; a plain DELETE would only add a delete marker
        if versions.allSatisfy({ $0.versionId == "null" }) {
            try delete(key)
            return
        }
        for version in versions.filter({ !$0.isLatest }) + versions.filter(\.isLatest) {
            try deleteVersion(version, of: key)
        }
    }

    /// Every version and delete marker of exactly `key` (not of longer keys it is a prefix of), in listing order.
    /// `pageSize` (max-keys) is for tests of the paging; S3's default is 1000.
    func versions(of key: ObjectKey, pageSize: Int? = nil) throws -> [S3ObjectVersion] {
        let full = fullKey(key)
        var versions: [S3ObjectVersion] = []
        var markers: (key: String, versionId: String?)?
        repeat {
            var request = S3Request(operation: "listing of the versions of '\(key)'", method: .get, key: nil)
            request.query = [("versions", ""), ("prefix", full)] + (pageSize.map { [("max-keys", String($0))] } ?? [])
            if let markers {
                request.query.append(("key-marker", markers.key))
                if let versionId = markers.versionId { request.query.append(("version-id-marker", versionId)) }
            }
            let page = try S3XML.listObjectVersions(try perform(request).body)
            versions += page.versions.filter { $0.key == full }
            // Listings are sorted by key and `full` sorts before every longer key it prefixes: once another
            // key shows up, no version of `full` can follow.
            let pastKey = page.versions.contains { $0.key != full }
            markers = page.isTruncated && !pastKey ? page.nextKeyMarker.map { ($0, page.nextVersionIdMarker) } : nil
        } while markers != nil
        return versions
    }

    private func deleteVersion(_ version: S3ObjectVersion, of key: ObjectKey) throws {
        var request = S3Request(
            operation: "deletion of version '\(version.versionId)' of '\(key)'", method: .delete, key: fullKey(key))
        request.query = [("versionId", version.versionId)]
        do {
            _ = try perform(request)
        } catch let error as S3Error {
            guard case .request(_, 403, "AccessDenied", _, _, _) = error, !version.isDeleteMarker,
                let detail = try? lockDetail(of: key, versionId: version.versionId)
            else { throw error }
            throw StoreError.objectLocked(key: key.rawValue, detail: detail)
        }
    }

    /// "version V: GOVERNANCE until 2026-11-28T21:00:00Z, legal hold on" when the version is locked now; nil
    /// when it is not (so the refusal had another cause).
    private func lockDetail(of key: ObjectKey, versionId: String) throws -> String? {
        let lock = S3ObjectLockHeaders.parse(
            try existingHeaders(key, versionId: versionId, operation: "object lock status of '\(key)'"))
        var reasons: [String] = []
        if let mode = lock.mode, let until = lock.retainUntil, until > Date() {
            reasons.append("\(mode) until \(S3ObjectLockHeaders.retainUntilText(until))")
        }
        if lock.legalHold { reasons.append("legal hold on") }
        return reasons.isEmpty ? nil : "version \(versionId): " + reasons.joined(separator: ", ")
    }
}
