// PhysicalRestore: restores a snapshot into a data directory and configures point-in-time recovery, in two
// calls: `plan` decides everything once (which snapshot — SnapshotChoice —, the directories, the recovery
// settings, the rehydration still needed), and `run` carries out exactly that plan.
// Order of safety: refuse a non-empty directory unless --clean; read each object once, straight into the
// directories (PhysicalRestore+Chain: a full snapshot is a chain of one), every chunk authenticated before its
// bytes are written and each object's size and SHA-256 checked at the end of its stream, any failure emptying
// the directories; extract the base backup's tar (names validated, never outside DIR, no links) and each user
// tablespace's tar into its directory (TablespacePlan; tablespace_map points recovery there) with
// `global/pg_control` held back; make the tree durable (syncfs of each file system), and only then write
// pg_control, so a restore killed or failing at any point before leaves a directory no server starts; then
// recovery.signal and the recovery settings (RecoveryConfiguration; restore_command reads any passphrase or S3
// credentials it needs from private files, RecoveryCredentials). Directories are taken over as RestoreDirectory
// describes. With --start the server is started and watched until recovery reaches its target (RecoveryServer).
import ArchiveIO
import Catalog
import Diagnostics
import Foundation
import Pipeline
import Storage

#if canImport(Glibc)
import Glibc
#endif

public final class PhysicalRestore {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
    }

    var osUser: String? { getuid() == 0 ? (context.config.postgres.osUser ?? "postgres") : nil }

    var server: RecoveryServer { RecoveryServer(context: context, osUser: osUser) }

    var catalog: BackupCatalog {
        BackupCatalog(repository: repository, keyring: keyring, cluster: context.config.cluster)
    }

    // MARK: plan

    /// Resolves the snapshot (once: `run` restores this one) and checks everything that can be checked without
    /// changing anything.
    public func plan(_ request: PhysicalRestoreRequest) throws -> PhysicalRestorePlan {
        try plan(request, backup: try SnapshotChoice(catalog: catalog, request: request).manifest())
    }

    /// A plan for a snapshot already chosen (a drill selects its own), which must suit the request's target.
    func plan(_ request: PhysicalRestoreRequest, backup manifest: BackupManifest) throws -> PhysicalRestorePlan {
        try SnapshotChoice(catalog: catalog, request: request).check(manifest)
        guard let snapshot = manifest.snapshot else { throw SnapshotError.notASnapshot(manifest.id.rawValue) }
        let chain = try BackupChain.resolve(manifest, catalog: catalog)
        let directory = request.dataDirectory
        try RestoreDirectory.checkPath(directory)
        try RestoreDirectory.check(directory, clean: request.clean)
        let tablespaces = try TablespacePlan.targets(
            snapshot.tablespaces ?? [], options: request.tablespaceMap,
            dataDirectory: directory, clean: request.clean,
            state: RestoreDirectory.state)
        let recovery = RecoveryConfiguration(config: context.config, request: request)
        let credentials =
            RecoveryCredentials.needed(context.config)
            ? RecoveryCredentials.placeholder(dataDirectory: directory) : nil
        try OSUserAccess.require(request.binaryPath, user: osUser, need: .execute, purpose: "restore_command runs it")
        try OSUserAccess.require(request.configPath, user: osUser, need: .read, purpose: "restore_command reads it")
        let summary = PhysicalRestoreSummary(
            backup: manifest.id.rawValue, backupFinishedAt: manifest.finishedAt, timeline: snapshot.timeline,
            startLsn: manifest.server.startLsn, stopLsn: manifest.server.stopLsn ?? "", walFrom: snapshot.startWal,
            walConsistentAt: snapshot.stopWal, target: recovery.targetText,
            targetAction: request.hasTarget ? request.targetAction : nil, dataDirectory: directory,
            clean: request.clean, osUser: osUser, restoreCommand: recovery.restoreCommand(credentials: credentials),
            startCommand: try server.startArguments(
                manifest, directory: directory, port: request.port ?? 5432,
                strict: request.start),
            tablespaces: snapshot.tablespaces == nil ? nil : tablespaces,
            chain: chainLinks(chain, tablespaces: tablespaces),
            steps: steps(request, chain: chain, tablespaces: tablespaces, credentials: credentials))
        let rehydration = try BackupRehydration(
            chain.links, store: repository.store, progress: context.progress,
            options: request.rehydration
        ).assessed()
        return PhysicalRestorePlan(
            summary: summary, manifest: manifest, chain: chain, request: request, rehydration: rehydration)
    }

    /// The chain as the plan shows it; nil for a full snapshot.
    func chainLinks(_ chain: BackupChain, tablespaces: [TablespaceTarget]) -> [RestoreChainLink]? {
        guard chain.length > 1 else { return nil }
        return chain.links.map {
            RestoreChainLink($0, objects: Self.chainObjects($0, tablespaces: tablespaces.map(\.oid)))
        }
    }

    // MARK: run

    /// Restores the plan's snapshot: rehydration, extraction in one authenticated pass (PhysicalRestore+Chain, a
    /// full snapshot being a chain of one), recovery settings and, with `start`, the server until recovery
    /// reaches the target.
    public func run(_ plan: PhysicalRestorePlan) throws -> PhysicalRestoreResult {
        try plan.rehydration.perform()
        let started = Date()
        let manifest = plan.manifest
        let request = plan.request
        guard manifest.snapshot != nil else { throw SnapshotError.notASnapshot(manifest.id.rawValue) }
        try authenticateServerManifests(plan)
        var summary = plan.summary
        let (extractor, credentials, links) = try restoreFiles(plan, summary: &summary)
        context.logger.info(
            "snapshot extracted", metadata: ["backup": "\(manifest.id)", "files": "\(extractor.files)"])
        var result = PhysicalRestoreResult(
            plan: summary, seconds: 0, bytesExtracted: extractor.bytes,
            files: extractor.files, started: false, port: request.port, recovery: nil,
            credentialsDirectory: credentials, chain: links)
        if request.start, let port = request.port {
            do {
                result.recovery = try recover(plan, port: port, credentials: credentials)
            } catch {
                server.keepCredentialsOnlyWhileRunning(credentials, directory: summary.dataDirectory)
                throw error
            }
            result.started = true
            if result.recovery?.inRecovery == false { result.credentialsDirectory = nil }
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// Starts the restored server and waits until recovery reaches the plan's target. `run` does it with
    /// `start`; a drill calls it itself, to time the phase. `started` is called once pg_ctl reports the server up.
    func recover(
        _ plan: PhysicalRestorePlan, port: Int, credentials: String?,
        started: (() -> Void)? = nil
    ) throws -> RecoveryReport {
        try server.startAndWait(
            manifest: plan.manifest, directory: plan.summary.dataDirectory, port: port,
            action: plan.summary.targetAction ?? "promote", target: plan.summary.target,
            credentials: credentials, started: started)
    }

    /// A restore does not read the server manifests (docs/format.md §6.5), but they are part of the backups it
    /// restores and what the next incremental builds on: damage to one stops the restore before anything is
    /// written, like damage to any other object of those backups.
    func authenticateServerManifests(_ plan: PhysicalRestorePlan) throws {
        for link in plan.chain.links {
            guard let object = link.snapshot?.serverManifest else { continue }
            let source = ObjectSource(
                repository: repository, keyring: keyring, cluster: context.config.cluster, manifest: link)
            context.progress.begin("authenticate \(object)")
            try source.authenticate(object)
            context.progress.end()
        }
    }

    /// Takes over the directories, extracts into them and writes the recovery settings; on failure empties what
    /// it wrote. Returns the extractor's counts, the credentials directory (`summary` gets its restore_command)
    /// and, for a chain, what each backup supplied.
    func restoreFiles(
        _ plan: PhysicalRestorePlan, summary: inout PhysicalRestoreSummary
    ) throws -> (Extractor, credentials: String?, links: [RestoredChainLink]?) {
        let request = plan.request
        let directory = plan.summary.dataDirectory
        let tablespaces = plan.summary.tablespaces ?? []
        let owner = try RestoreDirectory.ownerIDs(osUser: osUser)
        let root = try RestoreDirectory.takeOver(dataDirectory: directory, clean: request.clean)
        var spaceRoots: [DirectoryHandle] = []
        var credentials: String?
        var links: [RestoredChainLink]?
        let extractor = Extractor(root: root, progress: context.progress)
        do {
            for space in tablespaces {
                spaceRoots.append(try RestoreDirectory.takeOver(space, clean: request.clean))
            }
            try Failpoint.hit("restore.extract.before")
            let applied = try extractChain(plan, root: root, spaceRoots: spaceRoots, extractor: extractor)
            if plan.chain.length > 1 { links = applied }
            try checkBaseBackup(root)
            try replaceTablespaceMap(plan, extractor: extractor)
            try Failpoint.hit("restore.recovery.before")
            credentials = try RecoveryCredentials.write(context: context, dataDirectory: directory, owner: owner)
            let recovery = RecoveryConfiguration(config: context.config, request: request)
            summary.restoreCommand = recovery.restoreCommand(credentials: credentials)
            try recovery.write(plan: summary, extractor: extractor)
            if let (uid, gid) = owner {
                // Last: until now only root could enter any of these directories.
                for spaceRoot in spaceRoots { try spaceRoot.setOwnerRecursively(uid: uid, gid: gid) }
                try root.setOwnerRecursively(uid: uid, gid: gid)
            }
            // The data was made durable before pg_control; this makes the few files since and the owners so.
            for handle in [root] + spaceRoots { try handle.syncFileSystem() }
        } catch {
            context.progress.end()
            try? root.removeContents()
            for spaceRoot in spaceRoots { try? spaceRoot.removeContents() }
            credentials.map(RecoveryCredentials.remove)
            if let failure = error as? DirectoryError {
                throw SnapshotError.dataDirectoryUnusable(path: directory, detail: failure.message)
            }
            throw error
        }
        return (extractor, credentials, links)
    }

    func checkBaseBackup(_ root: DirectoryHandle) throws {
        for required in ["PG_VERSION", "backup_label", "global/pg_control"] where root.kind(of: required) != .file {
            throw SnapshotError.unexpectedOutput("the snapshot has no '\(required)'; it is not a base backup")
        }
    }

    /// With tablespaces, tablespace_map replaces the server's own map (source locations): recovery links them here.
    func replaceTablespaceMap(_ plan: PhysicalRestorePlan, extractor: Extractor) throws {
        let tablespaces = plan.summary.tablespaces ?? []
        guard !tablespaces.isEmpty else { return }
        try extractor.replace(Array(TablespacePlan.mapText(tablespaces).utf8), name: "tablespace_map")
    }
}
