// LogicalBackup: pg_dump (custom format, uncompressed, from an exported snapshot) of each database, streamed
// as tar pieces through zstd and AES-256-GCM into one sealed object per database, plus the globals when the
// role may read them. With more than one job, pg_dump writes the directory format with that many workers from the
// same snapshot and every file goes into its own object as it is written (DirectoryDump). Row counts and the database's settings, comment and privileges come from the same snapshot
// as the dump. The manifest is committed last.
import ArchiveIO
import Catalog
import Configuration
import Foundation
import Logging
import PGClient
import Pipeline
import Storage

public struct LogicalBackupRequest: Sendable {
    public var databases: [String]
    public var label: String?
    public var pinned: Bool
    public var keepUntil: Date?
    /// pg_dump workers per database; nil: backup.jobs from the configuration.
    public var jobs: Int?

    public init(databases: [String], label: String?, pinned: Bool, keepUntil: Date?, jobs: Int? = nil) {
        self.databases = databases
        self.label = label
        self.pinned = pinned
        self.keepUntil = keepUntil
        self.jobs = jobs
    }
}

public final class LogicalBackup {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    /// pg_dump workers per database (set by `run` from the request or the configuration).
    private(set) var jobs = 1

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
    }

    public func run(_ request: LogicalBackupRequest) throws -> BackupManifest {
        let config = context.config
        jobs = request.jobs ?? config.backup.jobs
        let lock = try ClusterLock(repository: repository, cluster: config.cluster, command: "lifeboat backup")
        defer { lock.release() }

        let source = try ConnectionInfo(config.postgres.url)
        let control = try context.postgres.connect(source)
        defer { control.close() }
        let facts = try SourceDatabase.facts(control)
        let databases = try chooseDatabases(request.databases, available: try SourceDatabase.databases(control))
        let tools = PostgresTools(
            binDir: config.postgres.binDir, serverMajor: facts.versionNumber / 10000,
            environment: context.toolEnvironment)
        // Found (and their versions checked) before anything is dumped: a missing pg_dumpall or an older pg_dump
        // fails the run now, not after hours of dumping.
        _ = try tools.path("pg_dump")
        if facts.isSuperuser { _ = try tools.path("pg_dumpall") }
        let startedAt = context.now()
        let id = BackupID.generate(at: startedAt)
        context.logger.info(
            "backup started", metadata: ["backup": "\(id)", "databases": "\(databases.joined(separator: ","))"])

        let written = WrittenObjects(store: repository.store)
        return try written.removingOnFailure {
            let (records, startLSN) = try dumpDatabases(
                databases, id: id, source: source, tools: tools,
                written: written)
            let globals = try dumpGlobals(
                id: id, source: source, tools: tools, superuser: facts.isSuperuser,
                written: written)
            let finishedAt = context.now()
            let server = ServerInfo(
                version: facts.version, versionNumber: facts.versionNumber,
                systemIdentifier: facts.systemIdentifier, timeline: facts.timeline,
                startLsn: startLSN ?? "0/0", stopLsn: try SourceDatabase.currentLSN(control))
            var manifest = BackupManifest(
                id: id, cluster: config.cluster, kind: .logical, label: request.label, startedAt: startedAt,
                finishedAt: finishedAt, pinned: request.pinned, keepUntil: request.keepUntil,
                tool: EngineContext.toolInfo, server: server, compression: context.compressionInfo,
                encryption: keyring.encryptionInfo, objects: written.storedObjects, databases: records,
                globals: globals)
            if records.contains(where: \.isDirectoryDump) {
                manifest.formatVersion = BackupManifest.directoryDumpFormatVersion
            }
            let committed = try ManifestCommit.commitBackup(
                manifest, context: context, repository: repository,
                keyring: keyring, written: written)
            context.logger.info("backup committed", metadata: ["backup": "\(id)"])
            return committed
        }
    }

    /// Every database in order; the start LSN is the first database's snapshot.
    func dumpDatabases(
        _ databases: [String], id: BackupID, source: ConnectionInfo, tools: PostgresTools,
        written: WrittenObjects
    ) throws -> ([DatabaseRecord], String?) {
        var records: [DatabaseRecord] = []
        var startLSN: String?
        for (index, name) in databases.enumerated() {
            let (record, lsn) = try dumpDatabase(
                name, index: index + 1, id: id, source: source, tools: tools,
                written: written)
            records.append(record)
            startLSN = startLSN ?? lsn
        }
        return (records, startLSN)
    }

    func chooseDatabases(_ requested: [String], available: [String]) throws -> [String] {
        let wanted = requested.isEmpty ? context.config.backup.databases : requested
        guard !wanted.isEmpty else { return available }
        for name in wanted where !available.contains(name) {
            throw EngineError.databaseNotFound(name: name, available: available)
        }
        return wanted
    }

    var compression: ArchiveCompression { CompressionTuning.filter(context.config.compression) }

    /// One database: snapshot → pg_dump → pieces → sealed object; then row counts in the same snapshot.
    func dumpDatabase(
        _ name: String, index: Int, id: BackupID, source: ConnectionInfo, tools: PostgresTools,
        written: WrittenObjects
    ) throws -> (DatabaseRecord, String) {
        let target = source.with(database: name)
        let snapshotConnection = try PGConnection(target)
        defer { snapshotConnection.close() }
        let (snapshot, lsn) = try SourceDatabase.exportSnapshot(snapshotConnection)
        let objectName = RepositoryLayout.databaseObjectName(index: index, compressed: compression == .zstd)
        // Count rows inside the exported snapshot while pg_dump streams: same data, overlapping work.
        // The snapshot connection belongs to the counting thread until `join` returns.
        let counting = BackgroundTask(name: "lifeboat-row-counts") { try SourceDatabase.rowCounts(snapshotConnection) }
        var files: [DumpFileRecord]?
        do {
            let common = ["--no-password", "--snapshot=\(snapshot)", PostgresTools.databaseArgument(target)]
            if jobs > 1 {
                files = try DirectoryDump(
                    context: context, repository: repository, keyring: keyring, compression: compression, jobs: jobs,
                    index: index, id: id, written: written, label: name
                ).run(
                    pgDump: try tools.path("pg_dump"), arguments: common,
                    environment: tools.childEnvironment(for: target))
            } else {
                try streamTool(
                    "pg_dump", arguments: ["--format=custom", "--compress=0"] + common, connection: target,
                    tools: tools, label: name, objectName: objectName, entryName: RepositoryLayout.dumpEntryName,
                    id: id, written: written)
            }
        } catch {
            _ = try? counting.join()
            throw error
        }
        let counts = try counting.join()
        // Still inside the snapshot: what pg_dump only restores with --create, as the dump saw it.
        let properties = try DatabasePropertiesQuery(session: snapshotConnection).read(database: name).properties
        try snapshotConnection.execute("COMMIT")
        let record = DatabaseRecord(
            name: name, object: objectName,
            dumpFormat: files == nil ? DatabaseRecord.customFormat : DatabaseRecord.directoryFormat,
            tables: counts, properties: properties, files: files)
        return (record, lsn)
    }

    func dumpGlobals(
        id: BackupID, source: ConnectionInfo, tools: PostgresTools, superuser: Bool,
        written: WrittenObjects
    ) throws -> GlobalsRecord {
        guard superuser else {
            return GlobalsRecord(
                object: nil, note: "roles and tablespaces not included: the backup role is not a superuser")
        }
        let objectName = RepositoryLayout.globalsObjectName(compressed: compression == .zstd)
        try streamTool(
            "pg_dumpall", arguments: ["--globals-only", "--no-password", PostgresTools.databaseArgument(source)],
            connection: source, tools: tools, label: "globals", objectName: objectName,
            entryName: RepositoryLayout.globalsEntryName, id: id, written: written)
        return GlobalsRecord(object: objectName, note: nil)
    }

    /// Runs a dump tool and streams its stdout into a sealed object. A failing tool aborts the object.
    @discardableResult
    func streamTool(
        _ toolName: String, arguments: [String], connection: ConnectionInfo, tools: PostgresTools, label: String,
        objectName: String, entryName: String, id: BackupID, written: WrittenObjects
    ) throws -> CommittedObject {
        let child = ChildProcess(
            executable: try tools.path(toolName), arguments: arguments,
            environment: tools.childEnvironment(for: connection),
            captureStdout: true, provideStdin: false)
        return try ToolStream(
            context: context, repository: repository, keyring: keyring, compression: compression,
            compressionThreads: CompressionTuning.threads
        )
        .run(
            child, toolName: toolName, label: label, objectName: objectName, entryName: entryName, id: id,
            written: written)
    }
}
