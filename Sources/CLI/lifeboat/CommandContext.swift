// CommandContext: what a command gets ready-made: configuration, logger, progress display, and the
// repository opened and unlocked with the configured credential.
import Configuration
import Engine
import Foundation
import Logging
import Policy

struct CommandContext {
    let options: GlobalOptions
    let config: LifeboatConfig
    let engine: EngineContext
    /// The configuration file actually read, absolute (restore_command names it).
    let configPath: String
    /// The subcommand, for messages and logs.
    let command: String

    init(_ options: GlobalOptions, command: String) throws {
        self.options = options
        self.command = command
        let environment = ProcessInfo.processInfo.environment
        let path = try ConfigLocator.resolve(explicit: options.config, environment: environment,
                                             currentDirectory: FileManager.default.currentDirectoryPath)
        config = try ConfigLoader.load(path: path)
        MetricsRecorder.shared.configure(path: options.metricsFile, cluster: config.cluster, command: command)
        configPath = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let logger = LogSetup.makeLogger(command: command, options: options, environment: environment)
        if config.repository.insecureSkipTLSVerify {
            logger.warning("repository.insecure_skip_tls_verify is set: TLS certificates of the repository are NOT verified; use it for testing only")
        }
        if config.postgresURLHasPassword {
            logger.warning("postgres.url contains a password; prefer PGPASSWORD or ~/.pgpass so it is not stored in the file")
        }
        engine = EngineContext(config: config, logger: logger,
                               progress: ProgressReporter.forTerminal(disabled: options.noProgress || options.quiet || options.json),
                               environment: environment)
    }

    func credential() throws -> Credential {
        try Credential.load(config.encryption, environment: engine.environment)
    }

    /// Opens the configured repository and unlocks its keyring.
    func unlockedRepository() throws -> (Repository, Keyring) {
        let repository = try openRepository()
        let slots = try repository.slots()
        Self.recordKeySlots(slots.count)
        return (repository, try repository.unlock(try credential(), among: slots))
    }

    /// Opens the configured repository without unlocking it: key changes unlock under the "keys" lock.
    func openRepository() throws -> Repository {
        let repository = try Repository.open(config.repository, environment: engine.environment,
                                             immutability: try uploadImmutability(), logger: engine.logger)
        // Said where backups are written or the policy applied, not on every WAL push.
        if let problem = repository.immutabilityProblem, ["backup", "prune", "check", "pin"].contains(command) {
            engine.logger.warning("the policy asks for immutability, but \(problem): objects are uploaded without Object Lock")
        }
        return repository
    }

    /// Every run that opens the repository reports its key slots (a slot nobody meant to add is an alert); key
    /// add and remove report them again after the change.
    static func recordKeySlots(_ count: Int) {
        MetricsRecorder.shared.gauge("lifeboat_key_slots", Double(count),
                                     help: "Key slots of the repository (each opens it with its own key file or passphrase), when last read.")
    }

    func catalog() throws -> BackupCatalog {
        let (repository, keyring) = try unlockedRepository()
        return BackupCatalog(repository: repository, keyring: keyring, cluster: config.cluster)
    }

    /// Commands that store backups, keys, pins or evidence: they need the policy's Object Lock settings, so a
    /// broken policy file stops them (exit 2).
    static let policyStrictCommands: Set<String> = ["backup", "init", "prune", "pin", "unpin", "key add", "key remove", "key rotate", "drill"]

    /// The Object Lock uploads get. Reading must never fail over a typo in the policy file — not a restore at
    /// 3 a.m., not `wal get` — and WAL archiving must not stop either (WAL would pile up in pg_wal): those warn
    /// and go on without Object Lock.
    func uploadImmutability() throws -> Immutability? {
        do {
            return try policyIfConfigured()?.immutability
        } catch let error as ConfigError where !Self.policyStrictCommands.contains(command) {
            engine.logger.warning("policy ignored by '\(command)': \(error.message)")
            return nil
        }
    }

    /// The policy file named by `policy:` in lifeboat.yml; nil when the configuration names none.
    func policyIfConfigured() throws -> RetentionPolicy? {
        guard let path = config.policyPath else { return nil }
        return try PolicyLoader.load(path: path)
    }

    /// The policy, required by `command`: a configuration without one is a usage error naming the fix.
    func policy(for command: String) throws -> RetentionPolicy {
        guard let policy = try policyIfConfigured() else {
            throw ConfigError.missingKey(key: "policy", at: SourceLocation(file: config.sourcePath, line: 1),
                                         hint: "'\(command)' applies a policy: add 'policy: policies/production.yml' to the configuration (policies/README.md)")
        }
        return policy
    }

    /// Human output on stdout, unless --quiet or --json.
    func say(_ text: String) {
        guard !options.quiet, !options.json else { return }
        print(text)
    }

    func emitJSON<T: Encodable>(_ value: T) throws {
        guard options.json else { return }
        Output.printJSON(value)
    }
}
