// LogicalRestore: restores one database of a logical backup into a target database, in two calls: `plan`
// resolves the backup once and checks the target, `run` restores exactly that backup.
// Safety: the target must be empty unless --clean. With one job every object is fully authenticated (every chunk,
// size, SHA-256) in a first pass before pg_restore sees a byte, then streamed again and applied in a single
// transaction. With more jobs (backups made with `backup --jobs`, directory format) pg_restore's workers are fed
// straight from the repository through named pipes: every chunk is authenticated before its bytes reach a pipe,
// and a file's end only once its whole object authenticated (DumpDirectoryFeed). A single-stream backup (custom
// format) restores with one job whatever --jobs says: pg_restore runs it in parallel only from a seekable file,
// i.e. a local copy of the whole dump. Afterwards the database's recorded settings, comment and privileges are set
// on the target under its own name and read back (DatabasePropertiesRestore), every table's row count is compared
// with the count recorded at backup time, and last its connection limit, template and allow-connections flags are
// set and read back (DatabaseAccessRestore).
import Catalog
import Diagnostics
import Foundation
import Logging
import PGClient
import Pipeline

public final class LogicalRestore {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
    }

    var catalog: BackupCatalog {
        BackupCatalog(repository: repository, keyring: keyring, cluster: context.config.cluster)
    }

    /// Resolves the backup (once: `run` restores this one) and checks everything that can be checked without
    /// changing anything.
    public func plan(_ request: LogicalRestoreRequest) throws -> LogicalRestorePlan {
        try plan(request, backup: try catalog.resolve(request.reference, kind: .logical))
    }

    /// A plan for a backup already chosen (a drill selects its own).
    func plan(_ request: LogicalRestoreRequest, backup manifest: BackupManifest) throws -> LogicalRestorePlan {
        let (summary, _) = try decide(request, manifest)
        let rehydration = try BackupRehydration(
            manifest, store: repository.store, progress: context.progress,
            options: request.rehydration
        ).assessed()
        return LogicalRestorePlan(summary: summary, manifest: manifest, request: request, rehydration: rehydration)
    }

    /// What restoring `manifest` does to the target as it is now: which database, created or reused, and how.
    func decide(
        _ request: LogicalRestoreRequest,
        _ manifest: BackupManifest
    ) throws -> (LogicalRestoreSummary, ConnectionInfo) {
        let record = try chooseDatabase(manifest, request.database)
        let target = try targetConnection(request.target, defaultDatabase: record.name)
        let targetDatabase = target.database ?? record.name
        let exists = try databaseExists(target, name: targetDatabase)
        if exists && !request.clean { try requireEmpty(target, name: targetDatabase) }
        var objectBytes: Int64 = 0
        var dumpBytes: Int64 = 0
        for name in record.objects {
            guard let object = manifest.object(named: name) else {
                throw EngineError.manifestMismatch(
                    key: name,
                    detail: "the manifest does not list this object of database '\(record.name)'")
            }
            objectBytes += object.storedSize
            dumpBytes += object.contentSize
        }
        let globals = request.globals && manifest.globals?.object != nil
        if request.globals && !globals {
            let note = manifest.globals?.note ?? "none recorded"
            throw EngineError.invalidArgument(
                "backup '\(manifest.id)' holds no globals (\(note))",
                hint: "restore without --globals and create the roles by hand")
        }
        let mode = Self.mode(request, record)
        var steps: [String] = []
        if globals {
            steps.append("restore roles and tablespaces (pg_dumpall globals) with psql; existing roles are kept")
        }
        let dropFirst = request.clean ? " and drop its objects first (--clean)" : ""
        steps.append(
            exists
                ? "use existing database '\(targetDatabase)'\(dropFirst)"
                : "create database '\(targetDatabase)'")
        steps += Self.loadSteps(mode, request: request, record: record, objectBytes: objectBytes)
        let settings = Self.databaseSettingsMode(request, record)
        if settings == "apply" && exists { try requireSettingsPermission(target, name: targetDatabase) }
        if let step = Self.databaseSettingsStep(
            settings, record: record, target: targetDatabase,
            noOwner: request.noOwner)
        {
            steps.append(step)
        }
        steps.append("compare row counts of \(record.tables.count) tables (\(record.totalRows) rows) with the backup")
        if settings == "apply", let access = record.properties?.access {
            steps.append(
                "then set its \(access) as recorded, last (they could lock out the sessions that load and check "
                    + "it), and check them")
        }
        let summary = LogicalRestoreSummary(
            backup: manifest.id.rawValue, backupFinishedAt: manifest.finishedAt, database: record.name,
            target: target.description, targetDatabase: targetDatabase, createDatabase: !exists, clean: request.clean,
            jobs: request.jobs, mode: mode, restoreGlobals: globals, databaseSettings: settings,
            objectBytes: objectBytes,
            dumpBytes: dumpBytes, tables: record.tables.count, rows: record.totalRows, steps: steps)
        return (summary, target)
    }

    /// `stream` (one job, single transaction, every object authenticated first) or `parallel` (pg_restore's
    /// workers fed from the repository): only backups made with `backup --jobs` can restore in parallel.
    static func mode(_ request: LogicalRestoreRequest, _ record: DatabaseRecord) -> String {
        request.jobs > 1 && record.isDirectoryDump ? "parallel" : "stream"
    }

    static func loadSteps(
        _ mode: String, request: LogicalRestoreRequest, record: DatabaseRecord, objectBytes: Int64
    ) -> [String] {
        let objects = record.objects.count
        let what = objects == 1 ? "'\(record.object)'" : "the \(objects) objects of '\(record.name)'"
        guard mode == "stream" else {
            return [
                "pg_restore --jobs \(request.jobs), its workers fed \(what) (\(Format.bytes(objectBytes))) from the "
                    + "repository through pipes: every chunk authenticated before pg_restore reads it, each file's "
                    + "end only after its whole object (size and sha256); nothing is copied to local disk"
            ]
        }
        var steps = ["authenticate \(what) (\(Format.bytes(objectBytes))): every chunk, size and sha256"]
        steps.append("stream it into pg_restore in a single transaction")
        if request.jobs > 1 {
            steps.append(
                "one job, not \(request.jobs): this backup is one custom-format stream, which pg_restore runs in "
                    + "parallel only from a local copy of the whole dump (back up with --jobs to restore in parallel)")
        }
        return steps
    }

    /// An existing target database without --clean must hold no user relation; one left by a killed restore
    /// (its in-progress mark names a process that is gone) is named as such.
    func requireEmpty(_ target: ConnectionInfo, name targetDatabase: String) throws {
        let connection = try context.postgres.connect(target)
        defer { connection.close() }
        let relations = try SourceDatabase.userRelationCount(connection)
        guard relations > 0 else { return }
        let comment = try? connection.query(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
                + "FROM pg_database WHERE datname = current_database()"
        ).rows.first?[0]
        if let comment = comment ?? nil, comment.hasPrefix(Self.inProgressComment),
            AbandonedScratch.isAbandoned(comment)
        {
            throw EngineError.interruptedRestoreLeftover(database: targetDatabase, relations: relations)
        }
        throw EngineError.targetNotEmpty(database: targetDatabase, relations: relations)
    }

    /// Restores the plan's backup: rehydration, then the target is looked at again (the plan may be hours old)
    /// before anything on it changes; the backup stays the planned one.
    public func run(_ plan: LogicalRestorePlan) throws -> LogicalRestoreResult {
        try plan.rehydration.perform()
        let started = Date()
        let request = plan.request
        let manifest = plan.manifest
        let (summary, target) = try decide(request, manifest)
        let source = ObjectSource(
            repository: repository, keyring: keyring, cluster: context.config.cluster,
            manifest: manifest)
        let tools = PostgresTools(
            binDir: context.config.postgres.binDir,
            serverMajor: clientMajor(manifest, target: target),
            environment: context.toolEnvironment)
        // Found before the (possibly long) authentication pass, so a wrong version fails at once.
        _ = try tools.path("pg_restore")
        if summary.restoreGlobals { _ = try tools.path("psql") }
        guard let record = manifest.database(named: summary.database) else {
            throw EngineError.backupNotFound(summary.database)
        }
        let runner = PGRestoreRunner(
            context: context, tools: tools,
            target: target.with(database: summary.targetDatabase),
            request: request, label: summary.database)
        // Integrity first: nothing on the target changes until every byte to be applied has authenticated.
        let globals = summary.restoreGlobals ? manifest.globals?.object : nil
        if let globals { try source.authenticate(globals) }
        if summary.mode == "stream" {
            context.progress.begin("authenticate \(record.name)", total: summary.objectBytes)
            for object in record.objects { try source.authenticate(object) }
            context.progress.end()
        }
        // A directory-format dump's pipes and its (authenticated) table of contents, nothing else, go to local disk.
        let feed =
            record.isDirectoryDump
            ? try DumpDirectoryFeed(
                source: source, record: record, context: context, base: context.environment["TMPDIR"] ?? "/tmp")
            : nil
        defer { feed?.remove() }
        if let globals { try restoreGlobals(source: source, object: globals, target: target, tools: tools) }
        try Failpoint.hit("restore.database.before")
        var settingsSkipped: [String] = []
        try load(summary, source: source, record: record, target: target, runner: runner, feed: feed) {
            settingsSkipped = try restoreProperties(summary, record: record, target: target, noOwner: request.noOwner)
        }
        context.progress.begin("check row counts of \(record.tables.count) tables")
        let checked = try checkRowCounts(
            record, target: target.with(database: summary.targetDatabase), jobs: summary.jobs)
        context.progress.end()
        if summary.databaseSettings == "apply", let access = record.properties?.access {
            try restoreAccess(access, target: target, database: summary.targetDatabase)
        }
        return LogicalRestoreResult(
            plan: summary, seconds: Date().timeIntervalSince(started),
            tablesChecked: checked.tables, rowsChecked: checked.rows,
            databaseSettingsSkipped: settingsSkipped)
    }

    /// Creates the database when planned, then runs pg_restore on the stream or the fed directory, then `settings`
    /// (the database's recorded settings, comment and privileges). A database this run created and could not fill
    /// completely must not stay behind looking restored: it is dropped on failure, and until `settings` committed it
    /// keeps its in-progress mark, which names it as a killed restore's leftover.
    func load(
        _ summary: LogicalRestoreSummary, source: ObjectSource, record: DatabaseRecord, target: ConnectionInfo,
        runner: PGRestoreRunner, feed: DumpDirectoryFeed?, settings: () throws -> Void
    ) throws {
        if summary.createDatabase { try createDatabase(target, name: summary.targetDatabase) }
        let logger = context.logger
        let targetDatabase = summary.targetDatabase
        let dropToken =
            summary.createDatabase
            ? Interruption.shared.register {
                Self.dropCreatedDatabase(target, name: targetDatabase, logger: logger)
            } : nil
        defer { dropToken.map(Interruption.shared.unregister) }
        do {
            try Failpoint.hit("restore.data.before")
            if let feed {
                try runner.restoreDirectory(
                    feed, jobs: summary.mode == "parallel" ? summary.jobs : 1, dumpBytes: summary.dumpBytes)
            } else {
                try runner.restoreStreaming(source: source, object: record.object, dumpBytes: summary.dumpBytes)
            }
            try settings()
        } catch {
            if summary.createDatabase { Self.dropCreatedDatabase(target, name: targetDatabase, logger: logger) }
            throw error
        }
        // Only our own mark is replaced (applied settings replaced it with the recorded comment already); a database
        // someone else made keeps its comment.
        if summary.createDatabase && summary.databaseSettings != "apply" {
            let manifest = source.manifest
            try? setComment(
                target, name: summary.targetDatabase,
                "restored by lifeboat from backup \(manifest.id) of cluster '\(manifest.cluster)'")
        }
    }

    /// `apply`, `skip` or `not-recorded`: whether the run gives the target the database's recorded properties.
    static func databaseSettingsMode(_ request: LogicalRestoreRequest, _ record: DatabaseRecord) -> String {
        guard request.databaseSettings else { return "skip" }
        return record.properties == nil ? "not-recorded" : "apply"
    }

    static func databaseSettingsStep(_ mode: String, record: DatabaseRecord, target: String, noOwner: Bool) -> String? {
        switch (mode, record.properties) {
        case ("apply", let properties?):
            let roles = properties.roleSettings.count
            let what = "the database's \(properties.settings.count) settings, the settings of \(roles) roles in it"
            guard !noOwner else {
                return "set \(what) and its comment on '\(target)' as recorded, and check them; "
                    + "privileges are left as they are (--no-owner)"
            }
            return "set \(what), its comment and \(properties.privileges.count) privileges on '\(target)' as recorded, "
                + "and check them"
        case ("not-recorded", _):
            return "the backup predates recorded database settings: '\(target)' keeps its own settings and privileges"
        default:
            return nil
        }
    }

    /// After the data: the database's recorded settings, comment and privileges, applied to the target under
    /// its own name and read back. Returns what was left out (roles missing on the target).
    func restoreProperties(
        _ summary: LogicalRestoreSummary, record: DatabaseRecord, target: ConnectionInfo,
        noOwner: Bool
    ) throws -> [String] {
        guard summary.databaseSettings == "apply", let properties = record.properties else { return [] }
        context.progress.begin("set database settings of \(summary.targetDatabase)")
        defer { context.progress.end() }
        let connection = try context.postgres.connect(target.with(database: summary.targetDatabase))
        defer { connection.close() }
        let restore = DatabasePropertiesRestore(
            recorded: properties, database: summary.targetDatabase,
            restorePrivileges: !noOwner)
        let outcome = try restore.apply(connection)
        for skipped in outcome.skipped {
            context.logger.warning("database setting not restored", metadata: ["skipped": "\(skipped)"])
        }
        try restore.check(connection, expected: outcome)
        return outcome.skipped
    }

    /// Last of all: the connection limit, template and allow-connections flags, from the maintenance database.
    func restoreAccess(_ access: DatabaseProperties.Access, target: ConnectionInfo, database: String) throws {
        let connection = try maintenanceConnection(target)
        defer { connection.close() }
        let restore = DatabaseAccessRestore(recorded: access, database: database)
        try restore.apply(connection)
        try restore.check(connection)
    }

    func chooseDatabase(_ manifest: BackupManifest, _ requested: String?) throws -> DatabaseRecord {
        let names = manifest.databases.map(\.name)
        if let requested {
            guard let record = manifest.database(named: requested) else {
                throw EngineError.databaseNotFound(name: requested, available: names)
            }
            return record
        }
        guard manifest.databases.count == 1, let only = manifest.databases.first else {
            throw EngineError.databaseRequired(available: names)
        }
        return only
    }

    func targetConnection(_ url: String?, defaultDatabase: String) throws -> ConnectionInfo {
        if let url {
            let info = try ConnectionInfo(url)
            return info.database == nil ? info.with(database: defaultDatabase) : info
        }
        return try ConnectionInfo(context.config.postgres.url).with(database: defaultDatabase)
    }

    func maintenanceConnection(_ target: ConnectionInfo) throws -> any PostgresSession {
        try context.postgres.connect(target.with(database: "postgres"))
    }

    /// Database settings, its comment and its privileges can be changed only by the database's owner (or a
    /// member with its privileges) or a superuser. Asked before anything is loaded, so a role that could restore
    /// the data but not the settings is told so while the target is still untouched, not after the data load.
    func requireSettingsPermission(_ target: ConnectionInfo, name: String) throws {
        let connection = try maintenanceConnection(target)
        defer { connection.close() }
        let answer = try connection.query(
            "SELECT r.rolname, pg_has_role(r.oid, d.datdba, 'USAGE') OR r.rolsuper "
                + "FROM pg_database d, pg_roles r WHERE d.datname = $1 AND r.rolname = current_user", [name])
        guard let row = answer.rows.first, row.count == 2, row[1] != "t" else { return }
        throw EngineError.invalidArgument(
            "role '\(row[0] ?? "")' cannot give database '\(name)' its recorded settings, comment and privileges: "
                + "only the database's owner or a superuser can change them",
            hint: "restore as the owner of '\(name)' (or a superuser), or pass --no-database-settings to keep the "
                + "target's own settings")
    }

    /// The major the client tools must reach: pg_restore must read the archive (written by pg_dump of the
    /// backed-up server's major or newer) and speak to the target server, which may be newer than the source.
    func clientMajor(_ manifest: BackupManifest, target: ConnectionInfo) -> Int {
        let source = manifest.server.versionNumber / 10000
        guard let connection = try? maintenanceConnection(target) else { return source }
        defer { connection.close() }
        return max(source, connection.serverVersionNumber / 10000)
    }

    func databaseExists(_ target: ConnectionInfo, name: String) throws -> Bool {
        let connection = try maintenanceConnection(target)
        defer { connection.close() }
        return try !connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rows.isEmpty
    }

    /// Marks a database this run creates, until the restore completes: a restore killed outright (nothing can
    /// drop its database then) leaves a database that the next restore recognises and names as such.
    static let inProgressComment = "lifeboat restore in progress"

    func createDatabase(_ target: ConnectionInfo, name: String) throws {
        let connection = try maintenanceConnection(target)
        defer { connection.close() }
        try connection.execute("CREATE DATABASE \(try connection.quoteIdentifier(name)) TEMPLATE template0")
        try setComment(target, name: name, Self.inProgressComment + ": " + AbandonedScratch.ownerText)
        context.logger.info("created database", metadata: ["database": "\(name)"])
    }

    func setComment(_ target: ConnectionInfo, name: String, _ text: String) throws {
        let connection = try maintenanceConnection(target)
        defer { connection.close() }
        try connection.execute(
            "COMMENT ON DATABASE \(try connection.quoteIdentifier(name)) IS \(try connection.quoteLiteral(text))")
    }

    /// Best effort, after a failed or interrupted restore into a database this run created (WITH FORCE: the
    /// failed pg_restore's session may still be closing).
    static func dropCreatedDatabase(_ target: ConnectionInfo, name: String, logger: Logger) {
        guard let connection = try? PGConnection(target.with(database: "postgres")),
            let quoted = try? connection.quoteIdentifier(name)
        else { return }
        defer { connection.close() }
        // This run's own sessions on it first: one interrupted inside the settings transaction holds a lock on the
        // database that DROP waits for before it would terminate anything. And never wait for ever.
        _ = try? connection.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            [name])
        _ = try? connection.execute("SET lock_timeout = '30s'")
        if (try? connection.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")) != nil {
            logger.warning("dropped the partly restored database '\(name)' that this run had created")
        }
    }

    /// The error texts psql's filter recognises are English: a superuser session switches its messages to C
    /// (a role that may not do so keeps its own, and expected messages may then be reported — never hidden).
    static let globalsPrelude =
        "DO $$BEGIN SET lc_messages TO 'C'; EXCEPTION WHEN insufficient_privilege THEN NULL; END$$;\n"

    func restoreGlobals(source: ObjectSource, object: String, target: ConnectionInfo, tools: PostgresTools) throws {
        let maintenance = target.with(database: "postgres")
        let existing = try existingRoles(maintenance)
        let psql = ChildProcess(
            executable: try tools.path("psql"),
            arguments: [
                "-X", "-q", "-v", "ON_ERROR_STOP=0", "--no-password", PostgresTools.databaseArgument(maintenance),
            ],
            environment: tools.childEnvironment(for: maintenance),
            captureStdout: false, provideStdin: true)
        try psql.start()
        _ = Array(Self.globalsPrelude.utf8).withUnsafeBytes { psql.writeStdin($0) }
        try source.streamEntry(object, entryName: RepositoryLayout.globalsEntryName) { bytes in
            _ = psql.writeStdin(bytes)
        }
        let status = psql.wait()
        let messages = GlobalsMessages(existingRoles: existing).reportable(psql.stderrTail)
        if status != 0 || !messages.isEmpty {
            // Other failures (a tablespace directory missing, a privilege) are reported, not fatal.
            let text = messages.joined(separator: "\n")
            context.logger.warning("globals restored with messages", metadata: ["psql": "\(text.prefix(2000))"])
        }
    }

    func existingRoles(_ maintenance: ConnectionInfo) throws -> Set<String> {
        let connection = try context.postgres.connect(maintenance)
        defer { connection.close() }
        return Set(try connection.query("SELECT rolname FROM pg_roles").rows.compactMap { $0[0] })
    }

    func checkRowCounts(_ record: DatabaseRecord, target: ConnectionInfo, jobs: Int) throws -> (
        tables: Int, rows: Int64
    ) {
        let postgres = context.postgres
        let check = RowCountCheck(connect: { try postgres.connect(target) }, jobs: jobs)
        let outcome = try check.run(record.tables)
        guard outcome.mismatches.isEmpty else {
            throw EngineError.rowCountMismatch(
                database: target.database ?? record.name, mismatches: Array(outcome.mismatches.prefix(10)))
        }
        return (record.tables.count, outcome.rows)
    }
}
