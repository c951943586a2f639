// CommandContext: what a command gets ready-made: configuration, logger, progress display, and the
// repository opened and unlocked with the configured credential.
import Configuration
import Engine
import Foundation
import Logging

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
        let path = try ConfigLocator.resolve(
            explicit: options.config, environment: environment,
            currentDirectory: FileManager.default.currentDirectoryPath)
        config = try ConfigLoader.load(path: path)
        MetricsRecorder.shared.configure(path: options.metricsFile, cluster: config.cluster, command: command)
        configPath = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let logger = LogSetup.makeLogger(command: command, options: options, environment: environment)
        if config.repository.insecureSkipTLSVerify {
            logger.warning(
                "repository.insecure_skip_tls_verify is set: TLS certificates of the repository are NOT verified; use it for testing only"
            )
        }
        if config.postgresURLHasPassword {
            logger.warning(
                "postgres.url contains a password; prefer PGPASSWORD or ~/.pgpass so it is not stored in the file")
        }
        engine = EngineContext(
            config: config, logger: logger,
            progress: ProgressReporter.forTerminal(disabled: options.noProgress || options.quiet || options.json),
            environment: environment)
    }

    func credential() throws -> Credential {
        try Credential.load(config.encryption, environment: engine.environment)
    }

    /// Opens the configured repository and unlocks its keyring.
    func unlockedRepository() throws -> (Repository, Keyring) {
        let repository = try openRepository()
        return (repository, try unlock(repository))
    }

    /// Unlocks an opened repository's keyring with the configured credential.
    func unlock(_ repository: Repository) throws -> Keyring {
        let slots = try repository.slots()
        Self.recordKeySlots(slots.count)
        return try repository.unlock(try credential(), among: slots)
    }

    /// Opens the configured repository without unlocking it: key changes unlock under the "keys" lock.
    func openRepository() throws -> Repository {
        let repository = try Repository.open(
            config.repository, environment: engine.environment,
            immutability: try policies.uploadImmutability(), logger: engine.logger)
        // Said where backups are written or the policy applied, not on every WAL push.
        if let problem = repository.immutabilityProblem, ["backup", "prune", "check", "pin"].contains(command) {
            engine.logger.warning(
                "the policy asks for immutability, but \(problem): objects are uploaded without Object Lock")
        }
        return repository
    }

    /// Every run that opens the repository reports its key slots (a slot nobody meant to add is an alert); key
    /// add and remove report them again after the change.
    static func recordKeySlots(_ count: Int) {
        MetricsRecorder.shared.gauge(
            "lifeboat_key_slots", Double(count),
            help: "Key slots of the repository (each opens it with its own key file or passphrase), when last read.")
    }

    func catalog() throws -> BackupCatalog {
        let (repository, keyring) = try unlockedRepository()
        return BackupCatalog(repository: repository, keyring: keyring, cluster: config.cluster)
    }

    /// The policy file of the configuration, read as strictly as this command needs (PolicySource).
    var policies: PolicySource { PolicySource(config: config, logger: engine.logger, command: command) }

    /// Human output on stdout, unless --quiet or --json.
    func say(_ text: String) {
        guard !options.quiet, !options.json else { return }
        print(text)
    }

    func emitJSON<T: Encodable>(_ value: T) throws {
        guard options.json else { return }
        Output.printJSON(value)
    }

    /// Ends a run whose result is already shown: a verdict other than `passed` becomes the exit status (ExitCodes).
    /// `reason` is the one line that says why; with --quiet or --json stdout did not carry it, so stderr does.
    func conclude(_ verdict: Verdict, reason: String? = nil) throws {
        guard verdict != .passed else { return }
        if let reason, options.quiet || options.json { ExitCodes.printError(reason) }
        throw CommandOutcome(verdict: verdict)
    }
}
