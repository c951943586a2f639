// Diagnostics: the one error protocol every Lifeboat module's errors conform to.
// The executable maps `exitStatus` to the process exit code in exactly one place.

/// Exit statuses of the `lifeboat` command (README.md "Exit codes" lists them).
public enum ExitStatus: Int32, Sendable, Codable, CaseIterable {
    case success = 0
    case failure = 1  // operation failed
    case usage = 2  // invalid usage or configuration
    case objectiveNotMet = 3  // completed, but an objective or compliance rule is not met
    case integrity = 4  // corrupt, truncated or tampered data; wrong key
    case locked = 5  // repository or cluster locked by another run
}

/// An error a user can act on: a lower-case message with quoted values, an optional hint that says what
/// to do next, and the exit status it maps to. Messages never contain secrets (keys, passwords, full
/// connection strings).
public protocol LifeboatError: Error, CustomStringConvertible, Sendable {
    var exitStatus: ExitStatus { get }
    var message: String { get }
    var hint: String? { get }
}

extension LifeboatError {
    public var hint: String? { nil }
    public var description: String {
        guard let hint else { return message }
        return "\(message)\nHINT: \(hint)"
    }
}
