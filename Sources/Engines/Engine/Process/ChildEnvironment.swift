// ChildEnvironment: what each child process inherits from lifeboat's environment. That environment may hold
// the repository's secrets — AWS credentials for an s3:// repository (or for anything else the operator runs),
// the passphrase named by encryption.passphrase_env — and no child needs them, while a child's environment is
// readable through /proc by its OS user and, for a server, inherited by every backend.
//
// - PostgreSQL client tools (pg_dump, pg_dumpall, pg_restore, psql) get the environment without the repository
//   secrets: their PG* variables (PGPASSWORD, PGSSLMODE, PGPASSFILE…) and the rest (PATH, HOME, locale,
//   Kerberos) stay, so they behave as in the operator's shell.
// - Servers (initdb and pg_ctl for drill scratch clusters, pg_ctl for `restore --start`, and the postmaster
//   pg_ctl starts) get that without PGPASSWORD as well: they connect nowhere. Their restore_command reads what
//   it needs from private files instead (RecoveryCredentials).
// The WAL prefetcher `wal get` starts is lifeboat itself and keeps the environment it was given.
import Configuration

public enum ChildEnvironment {
    /// Every `AWS_*` variable (keys, session token, profile, credential and config file pointers), the passphrase
    /// variable and its `_FILE` pointer (Credential): nothing a PostgreSQL program reads.
    public static func isRepositorySecret(_ name: String, encryption: EncryptionSettings) -> Bool {
        if name.hasPrefix("AWS_") { return true }
        guard case .passphraseEnvironment(let variable) = encryption else { return false }
        return name == variable || name == Credential.passphraseFileVariable(variable)
    }

    /// For PostgreSQL client tools.
    public static func clientTools(_ environment: [String: String], encryption: EncryptionSettings) -> [String: String]
    {
        environment.filter { !isRepositorySecret($0.key, encryption: encryption) }
    }

    /// For servers and the tools that create and start them.
    public static func server(_ environment: [String: String], encryption: EncryptionSettings) -> [String: String] {
        clientTools(environment, encryption: encryption).filter { $0.key != "PGPASSWORD" }
    }
}
