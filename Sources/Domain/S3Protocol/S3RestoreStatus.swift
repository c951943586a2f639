// S3RestoreStatus: what the x-amz-restore header of HEAD/GET says about a temporary copy of an archived
// object. S3 sends `ongoing-request="true"` while RestoreObject runs, and
// `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"` once the copy is readable.
// No header at all means no restore was ever requested (or the copy expired).
import Foundation

public struct S3RestoreStatus: Sendable, Equatable {
    public var ongoing: Bool
    /// When the readable copy is removed again; nil while ongoing (or when the server leaves it out).
    public var expiry: Date?

    public init(ongoing: Bool, expiry: Date?) {
        self.ongoing = ongoing
        self.expiry = expiry
    }

    /// Classes whose objects must be restored before a GET succeeds. GLACIER_IR (Instant Retrieval) is read
    /// directly, like STANDARD_IA, so it is not among them.
    public static let archiveClasses: Set<String> = ["GLACIER", "DEEP_ARCHIVE"]

    public static func isArchiveClass(_ storageClass: String?) -> Bool {
        storageClass.map(archiveClasses.contains) ?? false
    }

    /// nil when the header is absent or has no `ongoing-request`: then nothing is known about a restore.
    public static func parse(_ header: String?) -> S3RestoreStatus? {
        guard let header else { return nil }
        let fields = attributes(header)
        guard let ongoing = fields["ongoing-request"]?.lowercased(), ongoing == "true" || ongoing == "false" else {
            return nil
        }
        return S3RestoreStatus(ongoing: ongoing == "true", expiry: fields["expiry-date"].flatMap(AMZDate.parseHTTPDate))
    }

    /// `name="value"` pairs separated by commas. Values are quoted and the expiry date itself contains a
    /// comma ("Fri, 21 Dec ..."), so the text is scanned quote-aware instead of split on ','.
    static func attributes(_ header: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(header)
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " ,")).lowercased()
            var after = rest[rest.index(after: equals)...]
            let value: Substring
            if after.first == "\"" {
                after = after.dropFirst()
                let close = after.firstIndex(of: "\"") ?? after.endIndex
                value = after[..<close]
                rest = close == after.endIndex ? "" : after[after.index(after: close)...]
            } else {
                let end = after.firstIndex(of: ",") ?? after.endIndex
                value = after[..<end]
                rest = after[end...]
            }
            result[name] = value.trimmingCharacters(in: .whitespaces)
        }
        return result
    }
}
