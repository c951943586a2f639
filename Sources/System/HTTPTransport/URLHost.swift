// URLHost: the part of a URL that errors may show. Paths and queries can carry object names and presigned
// signatures, and userinfo can carry credentials, so messages name only 'host[:port]'.

enum URLHost {
    /// The schemes curl is allowed to use (CURLOPT_PROTOCOLS_STR); anything else is refused before curl
    /// sees it, so curl never guesses a scheme for a URL that lacks one.
    static let allowedSchemes = ["http", "https"]

    static func authority(of url: String) -> String {
        guard let afterScheme = url.range(of: "://") else { return "(unparsable url)" }
        let rest = url[afterScheme.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<end]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        return authority.isEmpty ? "(no host)" : String(authority)
    }

    static func scheme(of url: String) -> String? {
        guard let afterScheme = url.range(of: "://") else { return nil }
        return url[..<afterScheme.lowerBound].lowercased()
    }

    static func validate(_ url: String) throws {
        guard let scheme = scheme(of: url), allowedSchemes.contains(scheme) else {
            throw TransportError.invalidArgument(
                "url for '\(authority(of: url))' must start with 'http://' or 'https://'")
        }
        guard !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw TransportError.invalidArgument(
                "url for '\(authority(of: url))' contains spaces or control characters; "
                    + "it must be percent-encoded")
        }
    }
}
