// A validated object key: the only way a path reaches a store, so no key can escape the repository root.
import Foundation

public struct ObjectKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Characters allowed in a key segment. Kept to the unreserved URI set so S3 keys need no escaping.
    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

    public init(_ rawValue: String) throws {
        let segments = rawValue.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            let valid =
                !segment.isEmpty && segment != "." && segment != ".."
                && segment.allSatisfy { Self.allowed.contains($0) }
            guard valid else { throw StoreError.invalidKey(rawValue) }
        }
        self.rawValue = rawValue
    }

    /// Joins validated segments; each segment must itself be valid.
    public init(_ segments: String...) throws {
        try self.init(segments.joined(separator: "/"))
    }

    public func appending(_ segment: String) throws -> ObjectKey {
        try ObjectKey(rawValue + "/" + segment)
    }

    public var lastSegment: String { String(rawValue.split(separator: "/").last ?? "") }
    public var description: String { rawValue }
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
