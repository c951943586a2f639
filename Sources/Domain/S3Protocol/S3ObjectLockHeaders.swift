// S3ObjectLockHeaders: Object Lock as S3 carries it in headers. Uploads set mode and retain-until date
// (x-amz-object-lock-*); HEAD returns them with the legal hold. Dates are ISO 8601 UTC in whole seconds,
// the form S3 documents ("2026-11-28T21:00:00Z").
import Foundation

public enum S3ObjectLockHeaders {
    public static let mode = "x-amz-object-lock-mode"
    public static let retainUntilDate = "x-amz-object-lock-retain-until-date"
    public static let legalHold = "x-amz-object-lock-legal-hold"
    public static let modes: Set<String> = ["GOVERNANCE", "COMPLIANCE"]

    /// Headers that lock a new object for `days` from `now` (the time of the request, so every object of a
    /// backup is held for at least `days` after it was written).
    public static func upload(mode: String, days: Int, now: Date) -> [(String, String)] {
        [(Self.mode, mode), (retainUntilDate, retainUntilText(now.addingTimeInterval(Double(days) * 86_400)))]
    }

    public static func retainUntilText(_ date: Date) -> String {
        AMZDate.iso8601Seconds(date)
    }

    /// Mode, retain-until date and legal hold of a HEAD response (lower-cased header names).
    public static func parse(_ headers: [String: String]) -> (mode: String?, retainUntil: Date?, legalHold: Bool) {
        (
            headers[mode], headers[retainUntilDate].flatMap(AMZDate.parseISO8601),
            headers[legalHold]?.uppercased() == "ON"
        )
    }

    /// Whether PutObjectRetention with `requested` lengthens the lock. Compared in whole seconds, the
    /// resolution the date is sent in, so asking again for the same date is a no-op rather than a request
    /// S3 could refuse as a shortening (GOVERNANCE shortening needs bypass rights; COMPLIANCE never allows it).
    public static func extends(current: Date?, to requested: Date) -> Bool {
        guard let current else { return true }
        return requested.timeIntervalSince1970.rounded(.down) > current.timeIntervalSince1970.rounded(.down)
    }
}
