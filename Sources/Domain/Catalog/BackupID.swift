// BackupID: sortable, unique backup names: UTC start time plus a random suffix, e.g. 20261121T195312Z-3f9a2c.
// Sorting IDs sorts backups by the second they started in; within one second the random suffix says nothing, so
// whatever needs "newest" or "oldest first" orders by `BackupManifest.chronologically` (started_at, ms).
import Foundation

public struct BackupID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public static func generate(at date: Date, suffix: UInt32 = .random(in: 0...0xFF_FFFF)) -> BackupID {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let hex = String(suffix & 0xFF_FFFF, radix: 16)
        let padded = String(repeating: "0", count: 6 - hex.count) + hex
        return BackupID(unchecked: formatter.string(from: date) + "-" + padded)
    }

    private init(unchecked: String) { rawValue = unchecked }

    /// yyyyMMddTHHmmssZ-xxxxxx with lower-case hex.
    static func isValid(_ value: String) -> Bool {
        let characters = Array(value)
        guard characters.count == 23, characters[8] == "T", characters[15] == "Z", characters[16] == "-" else {
            return false
        }
        let digits = characters[0..<8] + characters[9..<15]
        return digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
            && characters[17...].allSatisfy { "0123456789abcdef".contains($0) }
    }

    public var description: String { rawValue }

    /// The id's start second, `yyyyMMddTHHmmssZ`: ids of different seconds order as their backups started.
    public var second: Substring { rawValue.prefix(16) }

    /// The start time encoded in the id (second precision, UTC).
    public var timestamp: Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: String(rawValue.prefix(16))) ?? Date(timeIntervalSince1970: 0)
    }
    public static func < (lhs: BackupID, rhs: BackupID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        guard Self.isValid(value) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "invalid backup id '\(value)'"))
        }
        rawValue = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
