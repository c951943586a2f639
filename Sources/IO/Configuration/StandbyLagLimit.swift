// StandbyLagLimit: how far behind its primary a standby may be for a snapshot to be taken from it
// (`postgres.standby_max_lag`): either an amount of WAL ("64MiB") or a time ("5m"). Both are written with a unit:
// a bare number could mean either, so it is refused with the two accepted forms.
import Foundation
import Policy

public enum StandbyLagLimit: Sendable, Equatable, CustomStringConvertible {
    /// WAL the primary has written that the standby has not replayed.
    case bytes(Int)
    /// Age of the last transaction the standby replayed, while it has not replayed everything.
    case seconds(TimeInterval)

    /// A snapshot from a standby reflects the primary of at most five minutes before.
    public static let standard = StandbyLagLimit.seconds(300)

    public static let acceptedForms =
        "a duration ('30s', '5m', '1h') or an amount of WAL ('64MiB', '1GiB'), with its unit"

    /// A duration or a size with a unit; nil for anything else (a bare number included).
    public static func parse(_ text: String) -> StandbyLagLimit? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = DurationText.parse(trimmed) { return .seconds(seconds) }
        let unit = trimmed.drop { $0.isASCII && $0.isNumber }.trimmingCharacters(in: .whitespaces)
        guard !unit.isEmpty, let bytes = ByteSize.parse(trimmed) else { return nil }
        return .bytes(bytes)
    }

    public var description: String {
        switch self {
        case .bytes(let bytes): return ByteSize.format(bytes)
        case .seconds(let seconds): return DurationText.format(seconds)
        }
    }
}

extension StandbyLagLimit: Codable {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let limit = Self.parse(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not \(Self.acceptedForms)"))
        }
        self = limit
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
