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
        let timeline = try replicationTimeline(context.config.postgres.url)
        return "replication connection works (timeline \(timeline)): snapshots stream BASE_BACKUP over it"
    }

    /// The timeline IDENTIFY_SYSTEM reports over a replication connection to `url`.
    func replicationTimeline(_ url: String) throws -> String {
        let info = try ConnectionInfo(url).withParameter("replication", "database")
        let connection = try PGConnection(info, applicationName: "lifeboat check")
        defer { connection.close() }
        if connection.serverVersionNumber < 150000 { throw SnapshotError.serverTooOld(connection.serverVersionNumber) }
        try connection.send("IDENTIFY_SYSTEM")
        var row: [String?]?
        while let result = try connection.nextResult() {
            if case .rows(let rows) = result, row == nil { row = rows.rows.first }
        }
        return (row?[1] ?? nil) ?? "?"
    }

    /// The standby in postgres.standby_url as a snapshot would find it: in recovery, of the same system as the
    /// primary, which writes full pages and lets this role switch WAL, and how far behind it is. Too far behind is
    /// a warning (a snapshot from it would be refused now, but that passes); anything else is a failure.
    func standby(url: String) throws -> ArchiveFinding {
        let primary = try context.postgres.connect(try ConnectionInfo(context.config.postgres.url))
        defer { primary.close() }
        let info = try ConnectionInfo(url)
        let session = try context.postgres.connect(info)
        defer { session.close() }
        let limit = context.config.postgres.standbyMaxLag
        let source = StandbySource(primary: primary, standby: session, standbyName: info.description, limit: limit)
        let (position, system) = try source.checkPrimary()
        let facts = try source.measure(primaryLSN: position, primarySystem: system)
        let detail =
            "\(info) is a standby of this primary, replayed up to \(facts.replayed), \(facts.lag.description) "
            + "(postgres.standby_max_lag \(limit))"
        guard !facts.lag.exceeds(limit) else {
            return ArchiveFinding(
                .warning, detail + ": a snapshot from it would be refused now",
                hint: StandbyError.tooFarBehind(standby: "", lag: "", limit: "").hint)
        }
        let use =
            context.config.backup.fromStandby
            ? "snapshots are read from it" : "`backup --type snapshot --from-standby` reads snapshots from it"
        return ArchiveFinding(.ok, detail + "; " + use)
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
