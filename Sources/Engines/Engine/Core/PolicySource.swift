// PolicySource: the retention policy a run works with — the file `policy:` in lifeboat.yml names — and how
// strictly a broken one stops the run. Commands that store backups, keys, pins or evidence need the policy's
// Object Lock settings, so a broken policy file stops them (exit 2); reading must never fail over a typo in the
// policy file (not a restore at 3 a.m., not `wal get`), and WAL archiving must not stop either (WAL would pile up
// in pg_wal): those warn and go on without Object Lock.
import Configuration
import Foundation
import Logging
import Policy

public struct PolicySource: Sendable {
    let config: LifeboatConfig
    let logger: Logger
    /// The subcommand ("backup", "key add", …): it decides how strictly a broken policy file stops the run.
    let command: String

    public init(config: LifeboatConfig, logger: Logger, command: String) {
        self.config = config
        self.logger = logger
        self.command = command
    }

    /// Commands that store backups, keys, pins or evidence: a broken policy file stops them.
    static let strictCommands: Set<String> = [
        "backup", "init", "prune", "pin", "unpin", "key add", "key remove",
        "key rotate", "drill",
    ]

    /// The policy file named by `policy:` in lifeboat.yml; nil when the configuration names none.
    public func policyIfConfigured() throws -> RetentionPolicy? {
        guard let path = config.policyPath else { return nil }
        return try PolicyLoader.load(path: path)
    }

    /// The policy, required by `usage` (the command line that needs it): a configuration without one is a
    /// usage error naming the fix.
    public func required(by usage: String) throws -> RetentionPolicy {
        guard let policy = try policyIfConfigured() else {
            let hint =
                "'\(usage)' applies a policy: add 'policy: policies/production.yml' to the configuration "
                + "(policies/README.md)"
            throw ConfigError.missingKey(
                key: "policy", at: SourceLocation(file: config.sourcePath, line: 1),
                hint: hint)
        }
        return policy
    }

    /// The Object Lock uploads get; lenient commands warn about a broken policy file and upload without it.
    public func uploadImmutability() throws -> Immutability? {
        do {
            return try policyIfConfigured()?.immutability
        } catch let error as ConfigError where !Self.strictCommands.contains(command) {
            logger.warning("policy ignored by '\(command)': \(error.message)")
            return nil
        }
    }
}
