// DrillRunner: `lifeboat drill run FILE`. Marks the incident time T0, writes a heartbeat into the source when
// asked and reachable, selects a backup, rehydrates archived objects, restores it into a scratch cluster (or
// a scratch database on an existing server), replays WAL for snapshots, runs the checks, measures RTO
// (T0 → checks done) phase by phase and the achieved RPO (T0 − the newest data in the restored database),
// records sealed evidence in the repository and tears everything down — also on failure and on Ctrl-C —
// unless asked to keep it. Drill failures never escape as errors: they become the evidence's verdict.
import Catalog
import Cipher
import Configuration
import Diagnostics
import Drills
import Foundation
import PGClient
import Policy
import Storage

public struct DrillRunOptions: Sendable {
    /// Keep the scratch server or database (overrides the definition's `keep`).
    public var keep: Bool
    /// T0, the simulated incident time; nil = the drill's start.
    public var incidentAt: Date?
    public var binaryPath: String
    public var configPath: String
    public init(keep: Bool, incidentAt: Date?, binaryPath: String, configPath: String) {
        self.keep = keep
        self.incidentAt = incidentAt
        self.binaryPath = binaryPath
        self.configPath = configPath
    }
}

public struct DrillRunner {
    let context: EngineContext
    let catalog: BackupCatalog
    let policy: RetentionPolicy?
    let definition: DrillDefinition

    public init(context: EngineContext, catalog: BackupCatalog, policy: RetentionPolicy?, definition: DrillDefinition) {
        self.context = context
        self.catalog = catalog
        self.policy = policy
        self.definition = definition
    }

    var config: LifeboatConfig { context.config }

    /// Removes what drills killed on this host left running (AbandonedScratch), before making anything new.
    func sweepAbandonedScratch() {
        for directory in AbandonedScratch.sweepClusters() {
            context.logger.warning("removed the scratch cluster of a drill that was killed: '\(directory)'")
        }
        if case .existingServer(let url) = definition.target, let server = try? ConnectionInfo(url) {
            for name in AbandonedScratch.sweepDatabases(on: server) {
                context.logger.warning("dropped the scratch database of a drill that was killed: '\(name)'")
            }
        }
    }
    var osUser: String? { getuid() == 0 ? (config.postgres.osUser ?? "postgres") : nil }

    /// Runs the drill and stores its evidence; returns it (the verdict decides the exit status).
    public func run(_ options: DrillRunOptions) throws -> DrillEvidence {
        let startedAt = context.now()
        sweepAbandonedScratch()
        let state = DrillState(incidentAt: options.incidentAt ?? startedAt, keep: options.keep || definition.keep)
        let teardown = Interruption.shared.register { [state] in state.target.tearDown() }
        defer {
            Interruption.shared.unregister(teardown)
            if state.keep { state.target.keepForOperator() } else { state.target.tearDown() }
        }
        var failure: String?
        do {
            try perform(state, options)
        } catch {
            failure = ProblemText.of(error)
        }
        let objectives = DrillAssessment.objectives(drill: definition, policy: policy)
        let (verdict, reasons) = DrillAssessment.verdict(
            checks: state.checks, rtoSeconds: state.rto, rpoSeconds: state.rpo,
            objectives: objectives, failure: failure)
        let evidence = DrillEvidence(
            id: BackupID.generate(at: startedAt).rawValue, drill: definition.name,
            definitionPath: definition.sourcePath,
            definitionDigest: definition.digest, cluster: catalog.cluster,
            tool: EngineContext.toolInfo,
            incidentAt: state.incidentAt, startedAt: startedAt, finishedAt: context.now(),
            target: state.target.description,
            backup: state.backup, recoveryPoint: state.recoveryPoint, checks: state.checks, phases: state.phases,
            rtoSeconds: state.rto, rpoSeconds: state.rpo, objectives: objectives, cadenceSeconds: definition.cadence,
            verdict: verdict, reasons: state.notes + reasons)
        try store(evidence)
        return evidence
    }

    // MARK: - the drill

    func perform(_ state: DrillState, _ options: DrillRunOptions) throws {
        guard definition.cluster == nil || definition.cluster == catalog.cluster else {
            throw DrillError.unsupported(
                "drill '\(definition.name)' is for cluster '\(definition.cluster ?? "")', the configuration for '\(catalog.cluster)'"
            )
        }
        if definition.heartbeat { writeHeartbeat(state) }
        let (manifest, chain) = try state.phase("select") { try select(state) }
        try state.phase("rehydrate") {
            // An incremental's restore reads every backup of its chain: all of them must be readable.
            try Rehydrator(store: catalog.repository.store, progress: context.progress)
                .prepare(try chain.flatMap(Rehydrator.keys(of:)), options: Self.rehydration)
        }
        switch definition.restore.kind {
        case .logical: try restoreLogical(manifest, state)
        case .snapshot: try restoreSnapshot(manifest, state, options)
        }
        try measureRecoveryPoint(manifest, state)
        try Failpoint.hit("drill.checks.before")  // the scratch target holds restored data now
        state.phase("checks") { runChecks(manifest, state) }
        state.rto = context.now().timeIntervalSince(state.incidentAt)
    }

    /// A drill waits for archived objects: the wait is part of the recovery time it measures.
    static let rehydration = RehydrationOptions(wait: true)

    func writeHeartbeat(_ state: DrillState) {
        do {
            var source = try ConnectionInfo(config.postgres.url)
            if let database = definition.restore.database { source = source.with(database: database) }
            let connection = try context.postgres.connect(source)
            defer { connection.close() }
            let at = try Heartbeat.write(connection)
            state.notes.append("heartbeat written into the source at \(CatalogCoding.formatTimestamp(at))")
        } catch {
            state.notes.append(
                "no heartbeat written: the source is not reachable (\(DrillCheckRunner.describe(error)))")
            context.logger.warning(
                "drill: could not write a heartbeat into the source: \(DrillCheckRunner.describe(error))")
        }
    }

    /// The backup to restore and every backup its restore reads (itself, then an incremental's chain). `latest`
    /// and `random` choose among restorable backups, whatever their type: the newest snapshot may be an
    /// incremental, and then the drill proves its whole chain. A named incremental whose chain is broken is an
    /// integrity failure.
    func select(_ state: DrillState) throws -> (BackupManifest, [BackupManifest]) {
        let kind: BackupKind = definition.restore.kind == .logical ? .logical : .snapshot
        let inventory = try ChainInventory.read(catalog)
        var candidates = inventory.manifests.filter { $0.kind == kind }
        if case .id = definition.restore.backup {
        } else {
            candidates = candidates.filter { inventory.state(of: $0.id).broken == nil }
        }
        let (chosen, selection) = DrillAssessment.selectBackup(
            definition.restore.backup, candidates: candidates, now: state.incidentAt,
            random: { Int.random(in: 0..<max($0, 1)) })
        guard let manifest = chosen else { throw DrillError.noBackup(selection) }
        let chain = inventory.state(of: manifest.id)
        state.backup = DrillBackupRecord(
            id: manifest.id.rawValue, kind: manifest.kind, finishedAt: manifest.finishedAt, selection: selection,
            type: chain.type, chain: chain.isIncremental ? chain.chain : nil)
        if let broken = chain.broken { throw EngineError.chainBroken(backup: manifest.id.rawValue, detail: broken) }
        let links = try chain.chain.compactMap(BackupID.init).map { try catalog.manifest($0) }
        return (manifest, [manifest] + links.reversed())
    }

    // MARK: - restore

    func tools(_ manifest: BackupManifest) -> PostgresTools {
        PostgresTools(
            binDir: config.postgres.binDir, serverMajor: manifest.server.versionNumber / 10000,
            environment: context.toolEnvironment)
    }

    var sourceUser: String { (try? ConnectionInfo(config.postgres.url))?.user ?? "postgres" }

    /// The superuser of a logical drill's scratch cluster: a name of its own, so restoring the source's roles
    /// (globals) creates every one of them, the source's superuser included, instead of colliding with it.
    static let scratchSuperuser = "lifeboat_drill"

    func restoreLogical(_ manifest: BackupManifest, _ state: DrillState) throws {
        let database = try drilledDatabase(manifest)
        let target: ConnectionInfo
        let restoreGlobals: Bool
        let settingsApply: Bool
        switch definition.target {
        case .scratchCluster:
            let scratch = try ScratchCluster(
                osUser: osUser, tools: tools(manifest), environment: context.serverEnvironment)
            state.target.set(.cluster(scratch))
            try state.phase("start") {
                try scratch.initialize(superuser: Self.scratchSuperuser)
                try scratch.start()
            }
            target = try scratch.connection(user: Self.scratchSuperuser, database: database)
            restoreGlobals = manifest.globals?.object != nil
            settingsApply = true
        case .existingServer(let url):
            let name = AbandonedScratch.databasePrefix + String(BackupID.generate(at: context.now()).rawValue.suffix(6))
            target = try ConnectionInfo(url).with(database: name)
            state.target.set(.database(server: try ConnectionInfo(url), name: name))
            // Created here, not by the restore: its comment names this drill, for the sweep after a kill.
            try AbandonedScratch.createDatabase(name, on: try ConnectionInfo(url))
            restoreGlobals = false
            // Its comment is the mark the sweep after a killed drill looks for: the backup's must not replace it.
            settingsApply = false
        }
        state.targetDatabase = target
        let engine = LogicalRestore(context: context, repository: catalog.repository, keyring: catalog.keyring)
        let request = LogicalRestoreRequest(
            reference: manifest.id.rawValue, database: database, target: target.keywordString,
            jobs: 1, clean: false, globals: restoreGlobals, noOwner: !restoreGlobals,
            rehydration: Self.rehydration,
            databaseSettings: settingsApply)
        do {
            let result = try state.phase("restore") { try engine.run(try engine.plan(request, backup: manifest)) }
            if definition.checks.rowCounts {
                state.checks.append(
                    CheckOutcome(
                        name: "row counts \(database)", kind: .rowCounts, passed: true,
                        detail:
                            "\(result.tablesChecked) tables, \(result.rowsChecked) rows match the counts taken at backup time",
                        seconds: 0))
            }
        } catch EngineError.rowCountMismatch(_, let mismatches) {
            // The data loaded but differs from what the backup recorded: a failed check, not a failed drill.
            state.checks.append(
                CheckOutcome(
                    name: "row counts \(database)", kind: .rowCounts, passed: false,
                    detail: mismatches.prefix(5).joined(separator: "; "), seconds: 0))
        }
    }

    func drilledDatabase(_ manifest: BackupManifest) throws -> String {
        if let name = definition.restore.database {
            guard manifest.database(named: name) != nil else {
                throw EngineError.databaseNotFound(name: name, available: manifest.databases.map(\.name))
            }
            return name
        }
        guard manifest.databases.count == 1, let only = manifest.databases.first else {
            throw EngineError.databaseRequired(available: manifest.databases.map(\.name))
        }
        return only.name
    }

    func restoreSnapshot(_ manifest: BackupManifest, _ state: DrillState, _ options: DrillRunOptions) throws {
        guard case .scratchCluster = definition.target else {
            throw DrillError.unsupported(
                "a snapshot drill restores a whole cluster: use 'target: { scratch: cluster }'")
        }
        let scratch = try ScratchCluster(osUser: osUser, tools: tools(manifest), environment: context.serverEnvironment)
        state.target.set(.cluster(scratch))
        let engine = PhysicalRestore(context: context, repository: catalog.repository, keyring: catalog.keyring)
        // Tablespaces go inside the scratch directory too: their source locations belong to the live server.
        let tablespaces = (manifest.snapshot?.tablespaces ?? []).map {
            TablespaceMapOption(key: String($0.oid), directory: scratch.directory + "/tblspc-\($0.oid)")
        }
        let request = PhysicalRestoreRequest(
            reference: manifest.id.rawValue, dataDirectory: scratch.dataDirectory,
            toTime: definition.restore.toTime, toLSN: nil, targetAction: "promote", clean: false,
            start: false, port: scratch.port, configPath: options.configPath, binaryPath: options.binaryPath,
            tablespaceMap: tablespaces, rehydration: Self.rehydration)
        let (plan, restored) = try state.phase("restore") { () throws -> (PhysicalRestorePlan, PhysicalRestoreResult) in
            let plan = try engine.plan(request, backup: manifest)
            return (plan, try engine.run(plan))
        }
        let replayStarted = StartMark()
        let recovery = try state.phase("start") {
            try engine.recover(
                plan, port: scratch.port, credentials: restored.credentialsDirectory,
                started: { replayStarted.mark() })
        }
        state.splitStartPhase(at: replayStarted.time)
        state.replayedLSN = recovery.lastReplayedLsn
        let database = (try? ConnectionInfo(config.postgres.url))?.database ?? "postgres"
        state.targetDatabase = try scratch.connection(user: sourceUser, database: database)
    }

    // MARK: - measurements

    func measureRecoveryPoint(_ manifest: BackupManifest, _ state: DrillState) throws {
        guard let target = state.targetDatabase else { return }
        let connection = try context.postgres.connect(target)
        defer { connection.close() }
        if let newest = try Heartbeat.newest(connection) {
            state.recoveryPoint = RecoveryPointRecord(at: newest, method: .heartbeat, lsn: state.replayedLSN)
        } else if manifest.kind == .snapshot,
            let text = try connection.query("SELECT extract(epoch FROM pg_last_xact_replay_timestamp())::text").rows
                .first?[0] ?? nil,
            let epoch = Double(text)
        {
            state.recoveryPoint = RecoveryPointRecord(
                at: Date(timeIntervalSince1970: epoch), method: .lastReplayedTransaction, lsn: state.replayedLSN)
        } else if manifest.kind == .logical {
            state.recoveryPoint = RecoveryPointRecord(at: manifest.startedAt, method: .backupConsistency)
        }
        state.rpo = state.recoveryPoint.map { max(0, state.incidentAt.timeIntervalSince($0.at)) }
    }

    func runChecks(_ manifest: BackupManifest, _ state: DrillState) {
        guard let target = state.targetDatabase else { return }
        let runner = DrillCheckRunner(progress: context.progress, postgres: context.postgres)
        for check in definition.checks.sql {
            state.checks.append(
                runner.sql(check, connection: check.database.map { target.with(database: $0) } ?? target))
        }
        let databases = manifest.kind == .logical ? [target.database ?? "postgres"] : restoredDatabases(target)
        for database in databases {
            if definition.checks.amcheck {
                state.checks.append(runner.amcheck(database: database, connection: target.with(database: database)))
            }
            if definition.checks.fullRead {
                state.checks.append(runner.fullRead(database: database, connection: target.with(database: database)))
            }
        }
        if manifest.kind == .snapshot, let note = unloggedTablesNote(target, databases: databases) {
            state.notes.append(note)
        }
        if definition.checks.rowCounts && manifest.kind == .snapshot {
            state.notes.append(
                "row_counts: snapshots record no row counts; use amcheck and full_read for snapshot drills")
        }
    }

    /// Recovery resets unlogged tables to empty (their data is never WAL-logged): a snapshot restores them empty,
    /// which the drill says when the restored cluster has any, naming them.
    func unloggedTablesNote(_ target: ConnectionInfo, databases: [String]) -> String? {
        var found: [String] = []
        for database in databases {
            guard let connection = try? context.postgres.connect(target.with(database: database)) else { continue }
            defer { connection.close() }
            let rows =
                (try? connection.query(
                    "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE c.relpersistence = 'u' AND c.relkind IN ('r', 'p') ORDER BY 1"
                ).rows) ?? []
            found += rows.compactMap { $0[0] ?? nil }.map { "\(database): \($0)" }
        }
        guard !found.isEmpty else { return nil }
        let shown = found.prefix(10).joined(separator: ", ") + (found.count > 10 ? ", …" : "")
        return "unlogged tables restored empty (a snapshot never holds their rows; PostgreSQL empties them in "
            + "recovery): \(found.count): \(shown)"
    }

    /// Every database of a restored cluster that accepts connections, templates excluded.
    func restoredDatabases(_ target: ConnectionInfo) -> [String] {
        guard let connection = try? context.postgres.connect(target) else { return [target.database ?? "postgres"] }
        defer { connection.close() }
        let rows =
            (try? connection.query(
                "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1"
            ).rows) ?? []
        return rows.compactMap { $0[0] ?? nil }
    }

    // MARK: - evidence

    func store(_ evidence: DrillEvidence) throws {
        let key = try ObjectKey(RepositoryLayout.drillRecord(cluster: catalog.cluster, id: evidence.id))
        try Failpoint.hit("drill.evidence.before")
        try catalog.repository.putSealedRecord(evidence, at: key, with: catalog.keyring.current)
    }

    /// Every drill run recorded for the cluster, oldest first. Each record must name the cluster and run id its key
    /// says: one copied from another cluster's drills/, or duplicated under another run id, authenticates (same
    /// repository key) but would prove a drill that never ran there, so it is an integrity error naming the object.
    public static func evidence(_ catalog: BackupCatalog) throws -> [DrillEvidence] {
        try catalog.repository.store.list(prefix: RepositoryLayout.drillRecords(catalog.cluster)).map { info in
            let record = try catalog.repository.sealedRecord(
                DrillEvidence.self, at: info.key, lookup: catalog.keyring.lookup, what: "drill evidence")
            guard record.cluster == catalog.cluster,
                info.key.rawValue == RepositoryLayout.drillRecord(cluster: catalog.cluster, id: record.id)
            else {
                throw EngineError.manifestMismatch(
                    key: info.key.rawValue,
                    detail: "it is the evidence of drill run '\(record.id)' of cluster '\(record.cluster)'")
            }
            return record
        }
    }
}
