// Errors raised by the engines (backup, restore, verify, keys, repository), each with what to do next.
import Diagnostics

public enum EngineError: LifeboatError {
    case repositoryExists(String)
    case notARepository(String)
    case unsupportedRepositoryFormat(String)
    case keyFileMissing(path: String)
    case keyFileUnreadable(path: String, detail: String)
    case keyFileInsecure(path: String, mode: Int)
    case keyFileMalformed(path: String)
    case keyFileExists(path: String)
    case passphraseMissing(variable: String)
    case passphraseTooShort(variable: String)
    case passphraseFileUnusable(variable: String, path: String, detail: String)
    case wrongKey(credential: String)
    case keyringDamaged(String)
    case keySlotRejected(slot: String, detail: String)
    case lastKeySlot
    case unknownKeySlot(String)
    case toolMissing(tool: String, searched: [String])
    case toolVersionMismatch(tool: String, required: String, found: [String], serverMajor: Int)
    case databaseNotFound(name: String, available: [String])
    case databaseRequired(available: [String])
    case backupNotFound(String)
    case noBackups(cluster: String, kind: String?)
    case wrongBackupKind(id: String, kind: String)
    case dumpFailed(tool: String, database: String, status: Int32, stderr: String)
    case restoreFailed(database: String, status: Int32, stderr: String)
    case targetNotEmpty(database: String, relations: Int)
    case interruptedRestoreLeftover(database: String, relations: Int)
    case rowCountMismatch(database: String, mismatches: [String])
    case databaseSettingsFailed(database: String, detail: String)
    case databaseSettingsMismatch(database: String, differences: [String])
    case manifestMismatch(key: String, detail: String)
    /// An incremental snapshot's chain does not hold together (docs/format.md §6.5): a parent missing, swapped
    /// for another snapshot, or of another cluster history.
    case chainBroken(backup: String, detail: String)
    case interrupted(signal: Int32)
    case invalidArgument(String, hint: String?)
    case commitUnknown(backup: String, detail: String)
    case osUserCannotReach(user: String, path: String, blocker: String, purpose: String)
    case rehydrationPending(objects: Int, classes: [String], tier: String, expected: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .keyringDamaged, .keySlotRejected, .wrongKey, .rowCountMismatch, .databaseSettingsMismatch,
            .manifestMismatch, .chainBroken:
            return .integrity
        case .keyFileMissing, .keyFileInsecure, .keyFileMalformed, .keyFileExists,
            .passphraseMissing, .passphraseTooShort, .passphraseFileUnusable, .toolMissing, .databaseNotFound,
            .databaseRequired,
            .backupNotFound, .wrongBackupKind, .invalidArgument, .keyFileUnreadable, .notARepository, .lastKeySlot,
            .unknownKeySlot,
            .osUserCannotReach, .toolVersionMismatch:
            return .usage
        // An unreadable or unknown repository.json is damage, like an unknown sealed-object version (format.md §4.3).
        case .unsupportedRepositoryFormat: return .integrity
        default: return .failure
        }
    }

    public var message: String {
        switch self {
        case .repositoryExists(let location): return "a repository already exists at '\(location)'"
        case .notARepository(let location): return "no lifeboat repository at '\(location)'"
        case .unsupportedRepositoryFormat(let detail): return "unsupported repository format: \(detail)"
        case .keyFileMissing(let path): return "key file '\(path)' does not exist"
        case .keyFileUnreadable(let path, let detail): return "cannot read key file '\(path)': \(detail)"
        case .keyFileInsecure(let path, let mode):
            return "key file '\(path)' is readable by other users (mode \(String(mode, radix: 8)))"
        case .keyFileMalformed(let path): return "key file '\(path)' is not a lifeboat key file"
        case .keyFileExists(let path): return "key file '\(path)' already exists"
        case .passphraseMissing(let variable):
            return "environment variable '\(variable)' with the repository passphrase is not set"
        case .passphraseTooShort(let variable): return "the passphrase in '\(variable)' is shorter than 12 characters"
        case .passphraseFileUnusable(let variable, let path, let detail):
            return "passphrase file '\(path)' (named by \(variable)) cannot be used: \(detail)"
        case .wrongKey(let credential): return "no key slot of the repository opens with \(credential)"
        case .keyringDamaged(let detail): return "the repository keyring is damaged: \(detail)"
        case .keySlotRejected(let slot, let detail):
            return "key slot 'keys/slot-\(slot).json' was refused without trying it: \(detail)"
        case .lastKeySlot: return "refusing to remove the last key slot"
        case .unknownKeySlot(let id): return "no key slot '\(id)'"
        case .toolMissing(let tool, let searched):
            return "'\(tool)' not found (looked in \(searched.map { "'\($0)'" }.joined(separator: ", ")))"
        case .toolVersionMismatch(let tool, let required, let found, let serverMajor):
            return "'\(tool)' of \(required) is needed for a PostgreSQL \(serverMajor) server; "
                + "found only \(found.joined(separator: ", "))"
        case .databaseNotFound(let name, let available):
            return "database '\(name)' not found; available: \(available.map { "'\($0)'" }.joined(separator: ", "))"
        case .databaseRequired(let available):
            return
                "the backup holds several databases (\(available.map { "'\($0)'" }.joined(separator: ", "))); choose one"
        case .backupNotFound(let id): return "backup '\(id)' not found"
        case .noBackups(let cluster, let kind):
            return "cluster '\(cluster)' has no complete \(kind.map { "\($0) " } ?? "")backup"
        case .wrongBackupKind(let id, let kind): return "backup '\(id)' is a \(kind) backup"
        case .dumpFailed(let tool, let database, let status, let stderr):
            return "\(tool) failed for database '\(database)' (exit status \(status)); nothing was committed\n\(stderr)"
        case .restoreFailed(let database, let status, let stderr):
            return "pg_restore failed for database '\(database)' (exit status \(status))\n\(stderr)"
        case .interruptedRestoreLeftover(let database, let relations):
            return
                "database '\(database)' holds \(relations) relations left by a lifeboat restore that was killed before it finished"
        case .targetNotEmpty(let database, let relations):
            return "target database '\(database)' is not empty (\(relations) relations)"
        case .rowCountMismatch(let database, let mismatches):
            return "restored database '\(database)' does not match the backup: \(mismatches.joined(separator: "; "))"
        case .databaseSettingsFailed(let database, let detail):
            return "applying the backup's database settings to '\(database)' failed: \(detail)"
        case .databaseSettingsMismatch(let database, let differences):
            return "restored database '\(database)' does not have the backup's database settings: "
                + differences.joined(separator: "; ")
        case .manifestMismatch(let key, let detail): return "object '\(key)' does not belong here: \(detail)"
        case .chainBroken(let backup, let detail):
            return "incremental backup '\(backup)' cannot be restored: its chain is broken: \(detail)"
        case .interrupted(let signal): return "interrupted by signal \(signal)"
        case .invalidArgument(let detail, _): return detail
        case .commitUnknown(let backup, let detail):
            return
                "backup '\(backup)' may or may not be committed: writing its manifest failed (\(detail)) and reading it back failed too"
        case .osUserCannotReach(let user, let path, let blocker, let purpose):
            return "OS user '\(user)' cannot reach '\(path)' (\(purpose)): '\(blocker)' denies it"
        case .rehydrationPending(let objects, let classes, let tier, let expected):
            return "\(objects) object(s) of the backup are in \(classes.joined(separator: "/")) and not readable yet; "
                + "rehydration was requested (\(tier) tier, \(expected))"
        }
    }

    public var hint: String? {
        switch self {
        case .repositoryExists: return "use the existing repository, or choose another repository.url"
        case .notARepository: return "run 'lifeboat init' to create it, or fix repository.url in the configuration"
        case .unsupportedRepositoryFormat:
            return "if repository.json was damaged, restore it from a copy of the repository (it holds no secret); "
                + "a repository written by a newer lifeboat needs that version"
        case .keyFileMissing: return "create one with 'lifeboat key generate --output FILE' or fix encryption.key_file"
        case .keyFileInsecure(let path, _): return "run 'chmod 600 \(path)'"
        case .keyFileMalformed: return "key files are made by 'lifeboat key generate'; check encryption.key_file"
        case .keyFileExists: return "choose another --output path; lifeboat never overwrites a key file"
        case .passphraseMissing(let variable):
            return "export \(variable) before running lifeboat (never put it on the command line)"
        case .passphraseTooShort: return "use a longer passphrase, or a key file from 'lifeboat key generate'"
        case .passphraseFileUnusable(_, let path, _):
            return "it must hold the passphrase and be readable by its owner only: 'chmod 600 \(path)'"
        case .wrongKey:
            return "check encryption.key_file / encryption.passphrase_env; 'lifeboat key list' shows the slots"
        case .keyringDamaged: return "restore keys/ from a copy of the repository; the data cannot be read without it"
        case .keySlotRejected(let slot, _):
            return
                "Lifeboat never writes such a slot, so it was altered or planted: check who can write to the repository, "
                + "then delete keys/slot-\(slot).json (or run 'lifeboat key remove \(slot)' with a key file configured)"
        case .lastKeySlot: return "add another slot with 'lifeboat key add' first"
        case .unknownKeySlot: return "'lifeboat key list' shows the slots"
        case .toolMissing:
            return "install the PostgreSQL client (apt-get install postgresql-client-15) or set postgres.bin_dir"
        case .toolVersionMismatch(let tool, _, _, let major):
            let kind =
                ToolRequirement.serverTools.contains(tool)
                ? "PostgreSQL \(major)'s server"
                : "PostgreSQL \(major) (or newer) client"
            return "set postgres.bin_dir to the bin directory of \(kind) tools (e.g. /usr/lib/postgresql/\(major)/bin)"
        case .databaseNotFound: return "pass one of the available names to --database"
        case .databaseRequired: return "pass --database NAME"
        case .backupNotFound, .noBackups: return "'lifeboat list' shows the complete backups"
        case .wrongBackupKind(_, let kind):
            return kind == "snapshot"
                ? "restore a snapshot into a data directory with --data-dir DIR"
                : "restore a logical backup into a database with --target URL (without --data-dir)"
        case .dumpFailed: return "fix the cause shown above and run the backup again"
        case .restoreFailed:
            return
                "if roles are missing on the target, restore them with --globals or pass --no-owner; see pg_restore's message above"
        case .interruptedRestoreLeftover:
            return "its contents are incomplete: restore again with --clean, or drop the database first"
        case .targetNotEmpty:
            return "restore into a new database (--target URL naming it), or pass --clean to replace its contents"
        case .rowCountMismatch:
            return "the restore is incomplete or the backup is damaged; do not use this database, try another backup"
        case .databaseSettingsFailed:
            return "the data is restored (row counts not compared yet); fix the cause (the restoring role may lack "
                + "a privilege the setting needs) and restore again, or pass --no-database-settings to restore "
                + "without them"
        case .databaseSettingsMismatch:
            return "the data is restored (row counts not compared yet); something changed the target's settings "
                + "during the restore: restore again, or set the values named above by hand "
                + "(ALTER DATABASE, COMMENT, GRANT)"
        case .manifestMismatch: return "the repository was altered; run 'lifeboat verify --all'"
        case .chainBroken:
            return "restore an older backup whose chain is intact ('lifeboat list' shows each chain); "
                + "run 'lifeboat verify --all' to see what else was altered"
        case .interrupted:
            return
                "nothing half-written is ever listed: 'lifeboat list' shows whether the run committed before the signal; run it again if not"
        case .invalidArgument(_, let hint): return hint
        case .commitUnknown:
            return
                "its objects were kept: 'lifeboat list' shows it once the repository is reachable if it was committed; "
                + "otherwise the next 'lifeboat prune' removes them as leftovers"
        case .osUserCannotReach(let user, _, _, _):
            return
                "install lifeboat and its configuration where '\(user)' can reach them (e.g. /usr/local/bin/lifeboat and /etc/lifeboat/lifeboat.yml), or run it from such a directory"
        case .rehydrationPending:
            return
                "run the same command again with --wait to wait for it (Ctrl-C is safe), or rerun it once the objects are readable; --rehydrate-tier expedited is faster for GLACIER"
        default: return nil
        }
    }
}
