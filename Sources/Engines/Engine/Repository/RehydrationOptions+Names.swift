// RehydrationOptions from the command line: the tier by name, so a command needs no storage types.
import Foundation
import Storage

extension RehydrationOptions {
    /// Whether `name` (any case) is a tier: expedited, standard or bulk.
    public static func isTierName(_ name: String) -> Bool { tier(named: name) != nil }

    /// `tierName` as `isTierName` accepts it; an unknown name means the standard tier.
    public init(wait: Bool, tierName: String, days: Int, pollInterval: TimeInterval) {
        self.init(wait: wait, tier: Self.tier(named: tierName) ?? .standard, days: days, pollInterval: pollInterval)
    }

    static func tier(named name: String) -> RehydrationTier? {
        RehydrationTier.allCases.first { $0.rawValue.lowercased() == name.lowercased() }
    }
}
