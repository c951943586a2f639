// VerificationFailure: `lifeboat verify` found damaged backup objects or broken incremental chains (exit 4).
import Diagnostics

public struct VerificationFailure: LifeboatError {
    /// Damaged objects.
    public let count: Int
    /// Incrementals whose chain does not hold (docs/format.md §6.5).
    public let brokenChains: Int

    public init(count: Int, brokenChains: Int = 0) {
        self.count = count
        self.brokenChains = brokenChains
    }

    public var exitStatus: ExitStatus { .integrity }
    public var message: String {
        var parts: [String] = []
        if count > 0 || brokenChains == 0 { parts.append("\(count) object(s) failed verification") }
        if brokenChains > 0 { parts.append("\(brokenChains) incremental chain(s) broken") }
        return parts.joined(separator: "; ")
    }
    public var hint: String? {
        "do not rely on the backups listed above; take a new backup and investigate the repository storage"
    }
}
