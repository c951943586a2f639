// CheckRequest: what `lifeboat check` needs from the command layer besides the engine context: the files the
// recommended archive_command names, the policy, and how this run opens and unlocks the repository (the command
// reports key slots and Object Lock problems as it does for every command).
import Foundation

public struct CheckRequest {
    /// The configuration file actually read, absolute.
    public var configPath: String
    /// This executable, as archive_command should name it.
    public var binaryPath: String
    public var policies: PolicySource
    public var unlockRepository: () throws -> (Repository, Keyring)

    public init(
        configPath: String, binaryPath: String, policies: PolicySource,
        unlockRepository: @escaping () throws -> (Repository, Keyring)
    ) {
        self.configPath = configPath
        self.binaryPath = binaryPath
        self.policies = policies
        self.unlockRepository = unlockRepository
    }
}
