// RepositoryLocation: where the repository lives, parsed from `repository.url` (or from `lifeboat init URL`).
// Only two forms exist, `file:///ABSOLUTE/PATH` and `s3://BUCKET[/PREFIX]`; everything else is refused with
// the accepted forms, because a mistyped URL must never silently back up to the wrong place.
import Foundation

public enum RepositoryLocation: Sendable, Equatable, Hashable {
    /// A local or mounted directory (absolute, normalised, no trailing slash).
    case file(path: String)
    /// An S3 bucket; `prefix` is empty or has no leading, trailing or doubled slashes.
    case s3(bucket: String, prefix: String)

    static let key = "repository.url"
    static let acceptedForms = "file://PATH, s3://BUCKET[/PREFIX]"
    static let prefixRule = "letters, digits, '/' and ! - _ . * ' ( ) (the characters S3 calls safe)"

    /// Parses `file:///abs/path` (also `file:/abs/path`, `file://localhost/abs/path`), `s3://bucket` and
    /// `s3://bucket/some/prefix`. Throws `ConfigError.invalidValue` for `repository.url` with a hint.
    public static func parse(_ url: String) throws -> RepositoryLocation {
        guard let colon = url.firstIndex(of: ":") else { throw noScheme(url) }
        let scheme = url[..<colon].lowercased()
        let rest = String(url[url.index(after: colon)...])
        switch scheme {
        case "file": return try parseFile(rest, original: url)
        case "s3": return try parseS3(rest, original: url)
        default: throw noScheme(url)
        }
    }

    /// The canonical URL, which `parse` turns back into the same location.
    public var url: String {
        switch self {
        case .file(let path):
            return "file://" + Self.escapeFilePath(path)
        case .s3(let bucket, let prefix):
            return prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)"
        }
    }

    // MARK: - file

    private static func parseFile(_ rest: String, original: String) throws -> RepositoryLocation {
        guard !rest.contains("?"), !rest.contains("#") else {
            throw invalid(original, hint: "a file URL takes no query or fragment; write '?' as '%3F' and '#' as '%23'")
        }
        let encodedPath: String
        if rest.hasPrefix("//localhost/") {
            encodedPath = String(rest.dropFirst("//localhost".count))
        } else if rest.hasPrefix("///") {
            encodedPath = String(rest.dropFirst(2))
        } else if rest.hasPrefix("//") {
            throw invalid(
                original, hint: "file URLs cannot name a remote host; mount it and write 'file:///MOUNT/PATH'")
        } else if rest.hasPrefix("/") {
            encodedPath = rest
        } else {
            throw invalid(
                original, hint: "write an absolute path with three slashes, e.g. 'file:///var/backups/lifeboat'")
        }
        guard let path = encodedPath.removingPercentEncoding, !path.contains("\0") else {
            throw invalid(original, hint: "the path contains an invalid percent escape; write '%' as '%25'")
        }
        let normalized = PathResolver.normalize(path)
        guard normalized != "/" else {
            throw invalid(original, hint: "name a directory for the repository, e.g. 'file:///var/backups/lifeboat'")
        }
        return .file(path: normalized)
    }

    private static func escapeFilePath(_ path: String) -> String {
        path.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "?", with: "%3F")
            .replacingOccurrences(of: "#", with: "%23")
    }

    // MARK: - s3

    private static func parseS3(_ rest: String, original: String) throws -> RepositoryLocation {
        guard rest.hasPrefix("//") else {
            throw invalid(original, hint: "write 's3://BUCKET' or 's3://BUCKET/PREFIX'")
        }
        let body = rest.dropFirst(2)
        let bucket = String(body.prefix { $0 != "/" })
        if bucket.contains("@") {
            throw invalid(
                original,
                hint:
                    "credentials do not belong in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE"
            )
        }
        guard NameRules.isValidBucket(bucket) else {
            throw invalid(original, hint: "bucket names are \(NameRules.bucketRule)")
        }
        let prefix = try parsePrefix(String(body.dropFirst(bucket.count)), original: original)
        return .s3(bucket: bucket, prefix: prefix)
    }

    /// Trims the outer slashes; refuses empty, "." and ".." segments and characters S3 calls unsafe, which
    /// keeps object keys identical whether or not a client percent-encodes them when signing.
    private static func parsePrefix(_ raw: String, original: String) throws -> String {
        let trimmed = raw.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard !trimmed.isEmpty else { return "" }
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
            throw invalid(original, hint: "the prefix must not contain empty, '.' or '..' segments")
        }
        guard trimmed.allSatisfy(isSafePrefixCharacter) else {
            throw invalid(original, hint: "prefixes may contain \(prefixRule)")
        }
        return trimmed
    }

    private static func isSafePrefixCharacter(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || "/!-_.*'()".contains(character)
    }

    // MARK: - errors

    private static func noScheme(_ url: String) -> ConfigError {
        let hint =
            url.hasPrefix("/")
            ? "for a local directory write 'file://\(SecretRedactor.redact(url))'"
            : "use 'file:///ABSOLUTE/PATH' for a local or mounted directory, or 's3://BUCKET/PREFIX' for S3-compatible storage"
        return invalid(url, hint: hint)
    }

    private static func invalid(_ url: String, hint: String) -> ConfigError {
        .invalidValue(key: key, at: nil, value: SecretRedactor.redact(url), accepted: acceptedForms, hint: hint)
    }
}

extension RepositoryLocation: Codable {
    /// Encoded as its canonical URL string, the same text a user writes in `repository.url`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try Self.parse(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a repository URL")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(url)
    }
}
