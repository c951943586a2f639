// HealthCheck: the individual checks behind `lifeboat check`, each returning a one-line finding or throwing
// the error a real run would hit.
import Foundation
import PGClient
import Policy
import Storage

public struct HealthCheck {
    let context: EngineContext

    public init(context: EngineContext) { self.context = context }

    public func postgres() throws -> String {
        let info = try ConnectionInfo(context.config.postgres.url)
        let connection = try context.postgres.connect(info)
        defer { connection.close() }
        let facts = try SourceDatabase.facts(connection)
        let role = facts.isSuperuser ? "superuser" : "not a superuser: globals are skipped"
        return "\(info) is PostgreSQL \(facts.version) (\(role))"
    }

    /// Snapshots stream BASE_BACKUP over a replication connection: pg_hba.conf must allow one for this role.
    /// IDENTIFY_SYSTEM goes through the simple query protocol (`send`), the only one a walsender speaks.
    public func replication() throws -> String {
        let info = try ConnectionInfo(context.config.postgres.url).withParameter("replication", "database")
        let connection = try PGConnection(info, applicationName: "lifeboat check")
        defer { connection.close() }
        if connection.serverVersionNumber < 150000 { throw SnapshotError.serverTooOld(connection.serverVersionNumber) }
        try connection.send("IDENTIFY_SYSTEM")
        var row: [String?]?
        while let result = try connection.nextResult() {
            if case .rows(let rows) = result, row == nil { row = rows.rows.first }
        }
        return
            "replication connection works (timeline \((row?[1] ?? nil) ?? "?")): snapshots stream BASE_BACKUP over it"
    }

    /// How incremental snapshots find changed blocks on this server (docs/format.md §6.5): from the server's WAL
    /// summaries on PostgreSQL 17+ with summarize_wal on, otherwise by lifeboat reading every page's LSN.
    func incremental() throws -> ArchiveFinding {
        let info = try ConnectionInfo(context.config.postgres.url)
        let connection = try context.postgres.connect(info)
        defer { connection.close() }
        let major = connection.serverVersionNumber / 10000
        guard major >= 17 else {
            return ArchiveFinding(
                .ok,
                "PostgreSQL \(major) has no WAL summaries: incremental snapshots use page-lsn (lifeboat reads "
                    + "every page and stores those changed since the parent)")
        }
        let setting = try connection.query("SELECT current_setting('summarize_wal')").rows.first?[0] ?? nil
        if setting == "on" {
            return ArchiveFinding(
                .ok, "summarize_wal is on: incremental snapshots get only changed blocks from the server (wal-summary)")
        }
        return ArchiveFinding(
            .warning,
            "summarize_wal is off: incremental snapshots use page-lsn (lifeboat reads every page of the cluster)",
            hint:
                "run ALTER SYSTEM SET summarize_wal = on; SELECT pg_reload_conf(); then take a full snapshot "
                + "(the next incrementals build on it)")
    }

    public func tools() throws -> String {
        let major = try? serverMajor()
        let tools = PostgresTools(
            binDir: context.config.postgres.binDir, serverMajor: major, environment: context.toolEnvironment)
        // Snapshots need no tool: BASE_BACKUP runs over lifeboat's own replication connection.
        let names = ["pg_dump", "pg_restore", "pg_dumpall", "psql"]
        let found = try names.map { name -> String in
            let path = try tools.path(name)
            return path + (tools.probe.major(of: path).map { " (\($0))" } ?? "")
        }
        return found.joined(separator: ", ") + (major.map { " for a PostgreSQL \($0) server" } ?? "")
    }

    public func repository() throws -> String {
        let repository = try openRepository()
        let descriptor = try repository.descriptor()
        var detail = "\(repository.location) (repository \(descriptor.id), format \(descriptor.version))"
        if let bucket = repository.store.bucket {
            let status = try bucket.status()
            detail +=
                "; bucket versioning \(status.versioning ?? "never enabled"), "
                + "object lock \(status.objectLock ? "enabled" : "not enabled")"
        }
        return detail
    }

    /// Creates one probe key twice in `locks/`: the second create must be refused (412 on S3).
    public func exclusiveCreate() throws -> String {
        let repository = try openRepository()
        try ExclusiveCreateProbe.run(repository.store)
        return "honoured: a second create of the same key was refused (locks and WAL records rely on it)"
    }

    public func key() throws -> String {
        let repository = try openRepository()
        let credential = try Credential.load(context.config.encryption, environment: context.environment)
        let keyring = try repository.unlock(credential)
        return "\(credential) opens the keyring (current data key \(keyring.currentKeyId))"
    }

    /// The configured repository, with the engine's logger as every command opens it: at trace level `check`
    /// logs its store operations and S3 requests too.
    func openRepository(immutability: Immutability? = nil) throws -> Repository {
        try Repository.open(
            context.config.repository, environment: context.environment, immutability: immutability,
            logger: context.logger)
    }

    func serverMajor() throws -> Int {
        let connection = try context.postgres.connect(try ConnectionInfo(context.config.postgres.url))
        defer { connection.close() }
        return connection.serverVersionNumber / 10000
    }
}
