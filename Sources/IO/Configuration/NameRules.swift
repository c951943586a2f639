// NameRules: what names in the configuration may look like. Cluster names become path components in the
// repository and bucket names become host names, so both are checked before anything touches storage.

enum NameRules {
    static let clusterRule = "1 to 63 characters of 'A-Z', 'a-z', '0-9', '.', '_', '-', not starting with '.'"
    static let bucketRule =
        "3 to 63 characters of 'a-z', '0-9', '.', '-', starting and ending with a letter or digit, no '..', not an IP address"
    static let environmentRule = "an environment variable name: a letter or '_' followed by letters, digits or '_'"
    static let storageClassRule =
        "an S3 storage class such as 'STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE' (upper-case letters, digits and '_')"
    static let databaseRule = "database names of 1 to 63 bytes"
    static let userRule =
        "a user name of 1 to 32 characters of 'A-Z', 'a-z', '0-9', '.', '_', '-', not starting with '-'"

    static func isValidCluster(_ name: String) -> Bool {
        (1...63).contains(name.count) && !name.hasPrefix(".")
            && name.allSatisfy { isASCIIAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// The basic S3 bucket naming rules (not the reserved prefixes and suffixes AWS adds from time to time).
    static func isValidBucket(_ name: String) -> Bool {
        guard (3...63).contains(name.count), !name.contains(".."),
            name.allSatisfy({ isLowerAlphanumeric($0) || $0 == "." || $0 == "-" }),
            let first = name.first, let last = name.last,
            isLowerAlphanumeric(first), isLowerAlphanumeric(last)
        else { return false }
        return !looksLikeIPv4(name)
    }

    static func isValidEnvironmentName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { isASCIIAlphanumeric($0) || $0 == "_" }
    }

    static func isValidStorageClass(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
    }

    /// PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1); a longer name cannot match a database.
    static func isValidDatabase(_ name: String) -> Bool {
        (1...63).contains(name.utf8.count) && !name.contains("\0")
    }

    static func isValidUser(_ name: String) -> Bool {
        (1...32).contains(name.count) && !name.hasPrefix("-")
            && name.allSatisfy { isASCIIAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    private static func looksLikeIPv4(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    private static func isASCIIAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber)
    }

    private static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isLowercase || character.isNumber)
    }
}
