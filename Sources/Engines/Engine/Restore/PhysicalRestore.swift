// PhysicalRestore: restores a snapshot into a data directory and configures point-in-time recovery.
// Order of safety: choose the snapshot (newest one finished before the target; for a named restore point, whose
// time Lifeboat cannot know, the newest snapshot unless a backup id is given), refuse a non-empty directory
// unless --clean, authenticate the whole object before the directory is touched, extract the base backup's tar
// (names validated, never outside DIR, no links) and each user tablespace's tar into its directory
// (TablespacePlan; tablespace_map points recovery there), then write recovery.signal and the recovery settings
// (restore_command = this lifeboat's `wal get`, which reads any passphrase or S3 credentials it needs from
// private files, RecoveryCredentials). With --start the server is started as the OS user (archive_mode=off: it
// must not archive into this repository) with none of lifeboat's secrets in its environment, and watched until
// recovery reaches its target; the recovery point reached is reported from the server itself.
//
// Run as root, the restore writes into directories the server's OS user will own, and a process of that user
// may race it (or already sit inside the directory). So every directory is opened once (DirectoryHandle: never
// through a link, every write relative to a descriptor), made private to root (mode 0700) before it is checked
// or emptied, and handed to postgres.os_user only when everything is written, deepest entries first.
import ArchiveIO
import Catalog
import Configuration
import Diagnostics
import Foundation
import PGClient
import Pipeline
import Storage
import SystemIO
#if canImport(Glibc)
import Glibc
#endif

public struct PhysicalRestoreRequest: Sendable {
    public var reference: String
    public var dataDirectory: String
    public var toTime: Date?
    public var toLSN: LSN?
    /// A restore point made with `pg_create_restore_point(name)` (recovery_target_name).
    public var toName: String?
    public var targetAction: String
    public var clean: Bool
    public var start: Bool
    public var port: Int?
    /// Absolute paths for restore_command.
    public var configPath: String
    public var binaryPath: String
    /// Where user tablespaces go (`--tablespace-map`); unmapped ones go back to their source location.
    public var tablespaceMap: [TablespaceMapOption]

    public init(reference: String, dataDirectory: String, toTime: Date?, toLSN: LSN?, toName: String? = nil, targetAction: String,
                clean: Bool, start: Bool, port: Int?, configPath: String, binaryPath: String, tablespaceMap: [TablespaceMapOption] = []) {
        self.reference = reference
        self.dataDirectory = dataDirectory
        self.toTime = toTime
        self.toLSN = toLSN
        self.toName = toName
        self.targetAction = targetAction
        self.clean = clean
        self.start = start
        self.port = port
        self.configPath = configPath
        self.binaryPath = binaryPath
        self.tablespaceMap = tablespaceMap
    }
}

public struct PhysicalRestorePlan: Codable, Sendable {
    public var backup: String
    public var backupFinishedAt: Date
    public var timeline: Int
    public var startLsn: String
    public var stopLsn: String
    public var walFrom: String
    public var walConsistentAt: String
    public var target: String
    public var targetAction: String?
    public var dataDirectory: String
    public var clean: Bool
    public var osUser: String?
    public var restoreCommand: String
    public var startCommand: [String]
    /// Each user tablespace and its directory; absent when the snapshot has none.
    public var tablespaces: [TablespaceTarget]?
    public var steps: [String]
}

public struct RecoveryReport: Codable, Sendable {
    public var inRecovery: Bool
    public var timeline: Int?
    public var lastReplayedLsn: String?
    public var lastReplayedTransactionAt: String?
    public var serverLog: [String]
}

public struct PhysicalRestoreResult: Codable, Sendable {
    public var plan: PhysicalRestorePlan
    public var seconds: Double
    public var bytesExtracted: Int64
    public var files: Int
    public var started: Bool
    public var port: Int?
    public var recovery: RecoveryReport?
    /// The private directory holding restore_command's passphrase or S3 credentials, while it remains (it is
    /// removed once the server is seen promoted); nil when none was needed.
    public var credentialsDirectory: String?
}

public final class PhysicalRestore {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    static let logName = "lifeboat-restore.log"

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
    }

    static let systemDirectories: Set<String> = ["/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc",
                                                 "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/var/lib"]

    var osUser: String? { getuid() == 0 ? (context.config.postgres.osUser ?? "postgres") : nil }

    // MARK: plan

    public func plan(_ request: PhysicalRestoreRequest) throws -> (PhysicalRestorePlan, BackupManifest) {
        let manifest = try chooseSnapshot(request)
        guard let snapshot = manifest.snapshot else { throw SnapshotError.notASnapshot(manifest.id.rawValue) }
        let directory = request.dataDirectory
        guard directory.hasPrefix("/"), !directory.contains("'"), !directory.utf8.contains(0) else {
            throw SnapshotError.dataDirectoryUnusable(path: directory, detail: "it must be an absolute path without single quotes")
        }
        // A slip of the keyboard at 3 a.m. must not empty the root filesystem (--clean) or chmod it 0700.
        guard !Self.systemDirectories.contains(PathResolver.resolve(directory, relativeTo: "/")) else {
            throw SnapshotError.dataDirectoryUnusable(path: directory, detail: "it is a system directory, never a data directory")
        }
        try checkDirectory(directory, clean: request.clean)
        let tablespaces = try TablespacePlan.targets(snapshot.tablespaces ?? [], options: request.tablespaceMap, dataDirectory: directory,
                                                     clean: request.clean, state: Self.directoryState)
        let target = Self.targetText(request)
        let hasTarget = request.toTime != nil || request.toLSN != nil || request.toName != nil
        let credentials = RecoveryCredentials.needed(context.config) ? RecoveryCredentials.placeholder(dataDirectory: directory) : nil
        let restoreCommand = restoreCommand(request, credentials: credentials)
        try OSUserAccess.require(request.binaryPath, user: osUser, need: .execute, purpose: "restore_command runs it")
        try OSUserAccess.require(request.configPath, user: osUser, need: .read, purpose: "restore_command reads it")
        let startCommand = try startArguments(manifest, directory: directory, port: request.port ?? 5432)
        var steps = request.toName == nil ? [] : [
            "use snapshot \(manifest.id)" + (request.reference == "latest" ? " (the newest: a restore point's time is unknown to "
                + "lifeboat; if 'restore point \(request.toName!)' is older than it, pass an older backup id)" : "")]
        steps += [
            request.clean && Self.directoryState(directory) == .notEmpty ? "delete the contents of '\(directory)' (--clean)"
                                                                          : "create '\(directory)' (mode 0700)",
            "authenticate '\(snapshot.object)' (\(Format.bytes(manifest.storedBytes))): every chunk, size and sha256",
            "extract the data directory (\(Format.bytes(manifest.contentBytes)))"
                + (osUser.map { ", private to root until the restore is complete, then owned by OS user '\($0)'" } ?? ""),
        ]
        for space in tablespaces {
            steps.append("extract tablespace \(space.oid) (on the source '\(space.location)') into '\(space.directory)'"
                + (space.mapped ? " (--tablespace-map)" : " (its original location)")
                + (request.clean && Self.directoryState(space.directory) == .notEmpty ? ", deleting its contents first (--clean)" : ""))
        }
        if !tablespaces.isEmpty {
            steps.append("write tablespace_map: recovery links pg_tblspc/<oid> to each tablespace directory")
        }
        if let credentials { steps.append(credentialsStep(credentials, request: request)) }
        steps += [
            "write recovery.signal and restore_command, recovery target \(target)" + (hasTarget ? ", then \(request.targetAction)" : ""),
            "recovery replays archived WAL from \(snapshot.startWal) (consistent after \(snapshot.stopWal), \(manifest.server.stopLsn ?? "?")) up to the target",
        ]
        steps.append(request.start ? "start the server on 127.0.0.1 port \(request.port ?? 5432) with archive_mode=off and wait for recovery"
                                   : "leave the server stopped (start it with the command printed at the end)")
        let plan = PhysicalRestorePlan(
            backup: manifest.id.rawValue, backupFinishedAt: manifest.finishedAt, timeline: snapshot.timeline,
            startLsn: manifest.server.startLsn, stopLsn: manifest.server.stopLsn ?? "", walFrom: snapshot.startWal,
            walConsistentAt: snapshot.stopWal, target: target, targetAction: hasTarget ? request.targetAction : nil,
            dataDirectory: directory, clean: request.clean, osUser: osUser, restoreCommand: restoreCommand,
            startCommand: startCommand, tablespaces: snapshot.tablespaces == nil ? nil : tablespaces, steps: steps)
        return (plan, manifest)
    }

    /// This lifeboat's `wal get`, preceded by the pointers to restore_command's credentials when it needs any.
    func restoreCommand(_ request: PhysicalRestoreRequest, credentials: String?) -> String {
        let assignments = credentials.map { RecoveryCredentials.assignments(context.config, directory: $0) } ?? []
        let pointers = assignments.map { $0.name + "=" + Self.shellQuote($0.value) }
        return (pointers + [Self.shellQuote(request.binaryPath), "--config", Self.shellQuote(request.configPath), "wal get %f %p"])
            .joined(separator: " ")
    }

    func credentialsStep(_ directory: String, request: PhysicalRestoreRequest) -> String {
        var what: [String] = []
        if let variable = RecoveryCredentials.passphraseVariable(context.config) { what.append("the passphrase (\(variable))") }
        if RecoveryCredentials.isS3(context.config) { what.append("the S3 credentials") }
        let removal = request.start && request.targetAction == "promote" ? "removed once the server is promoted"
            : "delete it once recovery has ended"
        return "write \(what.joined(separator: " and ")) for restore_command into '\(directory)' (mode 0700"
            + (osUser.map { ", owned by OS user '\($0)'" } ?? "") + "), not into the server's environment; \(removal)"
    }

    static func targetText(_ request: PhysicalRestoreRequest) -> String {
        if let time = request.toTime { return "time \(postgresTimestamp(time))" }
        if let lsn = request.toLSN { return "WAL position \(lsn)" }
        if let name = request.toName { return "restore point '\(name)'" }
        return "end of the archived WAL (latest)"
    }

    /// A restore point carries no time Lifeboat can see (it is a WAL record), so --to-name puts no bound on the
    /// snapshot: the newest one is used, and recovery reports a point it never reached (recoveryTargetMissed).
    func chooseSnapshot(_ request: PhysicalRestoreRequest) throws -> BackupManifest {
        let catalog = BackupCatalog(repository: repository, keyring: keyring, cluster: context.config.cluster)
        func qualifies(_ manifest: BackupManifest) -> Bool {
            if let time = request.toTime, manifest.finishedAt >= time { return false }
            if let lsn = request.toLSN {
                guard let stop = manifest.server.stopLsn.flatMap(LSN.init), stop <= lsn else { return false }
            }
            return true
        }
        if request.reference != "latest" {
            let manifest = try catalog.resolve(request.reference)
            guard manifest.kind == .snapshot, manifest.snapshot != nil else { throw SnapshotError.notASnapshot(manifest.id.rawValue) }
            guard qualifies(manifest) else {
                throw SnapshotError.noSnapshot(cluster: context.config.cluster, target: "'\(manifest.id)' that finished before the target")
            }
            return manifest
        }
        let snapshots = try catalog.manifests().filter { $0.kind == .snapshot && $0.snapshot != nil }
        guard let chosen = snapshots.filter(qualifies).max(by: { $0.finishedAt < $1.finishedAt }) else {
            let target = request.toTime.map { "finished before \(CatalogCoding.formatTimestamp($0))" }
                ?? request.toLSN.map { "ending before WAL position \($0)" } ?? "at all"
            throw SnapshotError.noSnapshot(cluster: context.config.cluster, target: target)
        }
        return chosen
    }

    /// The directory as the restore will open it (DirectoryHandle's rules: a link there, or an untrusted one on
    /// the way, makes it unusable).
    static func directoryState(_ path: String) -> DirectoryState {
        do {
            return try DirectoryHandle.open(path).entries().isEmpty ? .empty : .notEmpty
        } catch let error as DirectoryError {
            if error.code == ENOENT { return .absent }
            if case .notDirectory = error { return .notDirectory }
            return .unusable(error.message)
        } catch {
            return .unusable("\(error)")
        }
    }

    static let serverRunning = "a server may be running in it (postmaster.pid exists); stop it first"

    func checkDirectory(_ directory: String, clean: Bool) throws {
        switch Self.directoryState(directory) {
        case .absent, .empty: return
        case .notDirectory: throw SnapshotError.dataDirectoryUnusable(path: directory, detail: "it is not a directory")
        case .unusable(let detail): throw SnapshotError.dataDirectoryUnusable(path: directory, detail: detail)
        case .notEmpty:
            guard clean else { throw SnapshotError.dataDirectoryNotEmpty(directory) }
            if (try? DirectoryHandle.open(directory))?.kind(of: "postmaster.pid") != nil {
                throw SnapshotError.dataDirectoryUnusable(path: directory, detail: Self.serverRunning)
            }
        }
    }

    // MARK: run

    public func run(_ request: PhysicalRestoreRequest) throws -> PhysicalRestoreResult {
        let started = Date()
        var (plan, manifest) = try plan(request)
        guard let snapshot = manifest.snapshot else { throw SnapshotError.notASnapshot(manifest.id.rawValue) }
        let source = ObjectSource(repository: repository, keyring: keyring, cluster: context.config.cluster, manifest: manifest)
        context.progress.begin("authenticate \(snapshot.object)", total: manifest.storedBytes)
        try source.authenticate(snapshot.object)
        context.progress.end()
        let tablespaces = plan.tablespaces ?? []
        for space in tablespaces {
            context.progress.begin("authenticate \(space.object)")
            try source.authenticate(space.object)
            context.progress.end()
        }

        let owner = try ownerIDs()
        let directory = plan.dataDirectory
        let root = try takeOver(directory, clean: request.clean, notEmpty: SnapshotError.dataDirectoryNotEmpty(directory)) {
            SnapshotError.dataDirectoryUnusable(path: directory, detail: $0)
        }
        var spaceRoots: [DirectoryHandle] = []
        var credentials: String?
        let extractor = Extractor(root: root, progress: context.progress)
        do {
            for space in tablespaces {
                spaceRoots.append(try takeOver(space, clean: request.clean))
            }
            try Failpoint.hit("restore.extract.before")
            for (space, spaceRoot) in zip(tablespaces, spaceRoots) {
                let entry = snapshot.tablespaces?.first { $0.oid == space.oid }?.entry ?? RepositoryLayout.tablespaceEntryName(oid: space.oid)
                let spaceExtractor = Extractor(root: spaceRoot, progress: context.progress)
                context.progress.begin("extract tablespace \(space.oid) into \(space.directory)")
                try source.withEntryReader(space.object, entryName: entry) { read in
                    try spaceExtractor.extract(try TarReader(input: read, allowDirectories: true))
                }
                context.progress.end()
                extractor.count(spaceExtractor)
            }
            context.progress.begin("extract \(snapshot.object)", total: manifest.contentBytes)
            try source.withEntryReader(snapshot.object, entryName: snapshot.entry) { read in
                let tar = try TarReader(input: read, allowDirectories: true)
                try extractor.extract(tar)
            }
            context.progress.end()
            for required in ["PG_VERSION", "backup_label", "global/pg_control"] where root.kind(of: required) != .file {
                throw SnapshotError.unexpectedOutput("the snapshot has no '\(required)'; it is not a base backup")
            }
            if !tablespaces.isEmpty {
                // Replaces the server's own map (source locations): recovery makes pg_tblspc/<oid> point here.
                try extractor.replace(Array(TablespacePlan.mapText(tablespaces).utf8), name: "tablespace_map")
            }
            try Failpoint.hit("restore.recovery.before")
            credentials = try RecoveryCredentials.write(context: context, dataDirectory: directory, owner: owner)
            plan.restoreCommand = restoreCommand(request, credentials: credentials)
            try writeRecoveryConfiguration(plan: plan, request: request, extractor: extractor)
            if let (uid, gid) = owner {
                // Last: until now only root could enter any of these directories.
                for spaceRoot in spaceRoots { try spaceRoot.setOwnerRecursively(uid: uid, gid: gid) }
                try root.setOwnerRecursively(uid: uid, gid: gid)
            }
        } catch {
            context.progress.end()
            try? root.removeContents()
            for spaceRoot in spaceRoots { try? spaceRoot.removeContents() }
            credentials.map(RecoveryCredentials.remove)
            if let failure = error as? DirectoryError { throw SnapshotError.dataDirectoryUnusable(path: directory, detail: failure.message) }
            throw error
        }
        context.logger.info("snapshot extracted", metadata: ["backup": "\(manifest.id)", "files": "\(extractor.files)"])
        var result = PhysicalRestoreResult(plan: plan, seconds: 0, bytesExtracted: extractor.bytes, files: extractor.files,
                                           started: false, port: request.port, recovery: nil, credentialsDirectory: credentials)
        if request.start, let port = request.port {
            do {
                result.recovery = try startAndWait(manifest: manifest, directory: directory, port: port, action: plan.targetAction ?? "promote",
                                                   target: plan.target, credentials: credentials)
            } catch {
                keepCredentialsOnlyWhileRunning(credentials, directory: directory)
                throw error
            }
            result.started = true
            if result.recovery?.inRecovery == false { result.credentialsDirectory = nil }
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// After a failed start: a stopped server needs no credentials (a new restore writes new ones); one still
    /// recovering (the wait timed out) does, and the operator is told where they are.
    func keepCredentialsOnlyWhileRunning(_ credentials: String?, directory: String) {
        guard let credentials else { return }
        if FileManager.default.fileExists(atPath: directory + "/postmaster.pid") {
            context.logger.warning("restore_command's credentials remain in '\(credentials)' while the server recovers; delete it once recovery has ended")
        } else {
            RecoveryCredentials.remove(credentials)
        }
    }

    func ownerIDs() throws -> (uid_t, gid_t)? {
        guard let user = osUser else { return nil }
        guard let entry = getpwnam(user) else {
            throw SnapshotError.dataDirectoryUnusable(path: "-", detail: "OS user '\(user)' (postgres.os_user) does not exist")
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Opens (creating it when missing) a directory to restore into and makes it private to root before looking
    /// inside: from then on nobody else can add to it, rename in it or reach through it, also from a working
    /// directory or descriptor already inside. Then it must be empty, or is emptied when `clean`.
    func takeOver(_ directory: String, clean: Bool, notEmpty: @autoclosure () -> any Error,
                  unusable: (String) -> any Error) throws -> DirectoryHandle {
        do {
            let handle = try DirectoryHandle.open(directory, create: true)
            try handle.makePrivate()
            guard try !handle.entries().isEmpty else { return handle }
            guard clean else { throw notEmpty() }
            guard handle.kind(of: "postmaster.pid") == nil else { throw unusable(Self.serverRunning) }
            try handle.removeContents()
            return handle
        } catch let error as DirectoryError {
            throw unusable(error.message)
        }
    }

    /// A tablespace's directory; its original location is never emptied, not even with --clean (TablespacePlan).
    func takeOver(_ space: TablespaceTarget, clean requested: Bool) throws -> DirectoryHandle {
        let clean = space.mapped && requested
        let notEmpty: TablespacePlanError = space.mapped ? .targetNotEmpty(oid: space.oid, path: space.directory)
                                                         : .locationNotEmpty(oid: space.oid, path: space.directory)
        return try takeOver(space.directory, clean: clean, notEmpty: notEmpty) {
            TablespacePlanError.unusableDirectory(oid: space.oid, path: space.directory, detail: $0)
        }
    }

    // MARK: recovery configuration

    func writeRecoveryConfiguration(plan: PhysicalRestorePlan, request: PhysicalRestoreRequest, extractor: Extractor) throws {
        var lines = ["", "# Recovery settings added by lifeboat restore \(plan.backup) at \(CatalogCoding.formatTimestamp(Date()))",
                     "restore_command = \(Self.confQuote(plan.restoreCommand))"]
        if let time = request.toTime { lines.append("recovery_target_time = \(Self.confQuote(Self.postgresTimestamp(time)))") }
        if let lsn = request.toLSN { lines.append("recovery_target_lsn = \(Self.confQuote(lsn.description))") }
        if let name = request.toName { lines.append("recovery_target_name = \(Self.confQuote(name))") }
        if let action = plan.targetAction { lines.append("recovery_target_action = \(Self.confQuote(action))") }
        try extractor.append(Array((lines.joined(separator: "\n") + "\n").utf8), to: "postgresql.auto.conf")
        try extractor.append([], to: "recovery.signal")
    }

    /// `2026-11-21 19:53:12.123456+00`: PostgreSQL's timestamptz input, microseconds kept.
    static func postgresTimestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = floor(seconds)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        if micros >= 1_000_000 { whole += 1; micros -= 1_000_000 }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: whole)) + String(format: ".%06d+00", micros)
    }

    /// A postgresql.conf string: single quotes, embedded single quotes doubled.
    static func confQuote(_ value: String) -> String { "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }

    /// One word for /bin/sh (restore_command runs through the shell).
    static func shellQuote(_ value: String) -> String {
        let safe = value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+=:,@".contains($0)) }
        return safe && !value.isEmpty ? value : "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    // MARK: starting the server

    func startArguments(_ manifest: BackupManifest, directory: String, port: Int) throws -> [String] {
        let tools = PostgresTools(binDir: context.config.postgres.binDir, serverMajor: manifest.server.versionNumber / 10000,
                                  environment: context.toolEnvironment)
        let pgCtl = (try? tools.path("pg_ctl")) ?? "pg_ctl"
        let options = "-p \(port) -k '\(directory)' -c listen_addresses=127.0.0.1 -c archive_mode=off"
        let command = [pgCtl, "-D", directory, "-l", directory + "/" + Self.logName, "-o", options, "-w", "-t", "300", "start"]
        guard let user = osUser else { return command }
        return ["runuser", "-u", user, "--"] + command
    }

    /// `started` is called once pg_ctl reports the server up (it accepts connections once consistent).
    /// `credentials` (RecoveryCredentials) are removed once the server is seen promoted: recovery asks for nothing more.
    func startAndWait(manifest: BackupManifest, directory: String, port: Int, action: String, target: String,
                      credentials: String? = nil, started: (() -> Void)? = nil) throws -> RecoveryReport {
        var arguments = try startArguments(manifest, directory: directory, port: port)
        let executable: String
        if arguments[0] == "runuser" {
            executable = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/runuser"
        } else {
            executable = arguments[0]
        }
        arguments.removeFirst()
        context.progress.begin("start the restored server on port \(port)")
        let (status, output) = try Self.runDetaching(executable, arguments, environment: context.serverEnvironment)
        context.progress.end()
        started?()
        let log = directory + "/" + Self.logName
        if status != 0 && action != "shutdown" {
            try checkTargetReached(log: log, target: target)
            throw SnapshotError.serverStart(detail: "pg_ctl exited with status \(status): \(output)", log: logTail(log))
        }
        let connection = try ConnectionInfo(context.config.postgres.url)
            .withParameter("hostaddr", nil).withParameter("host", "127.0.0.1").withParameter("port", String(port))
            .with(database: "postgres")
        let limit = Double(context.environment["LIFEBOAT_RECOVERY_WAIT_SECONDS"] ?? "") ?? 3600
        let deadline = Date().addingTimeInterval(limit)
        context.progress.begin("recovery: replaying archived WAL (\(action) at the target)")
        defer { context.progress.end() }
        while Date() < deadline {
            let running = FileManager.default.fileExists(atPath: directory + "/postmaster.pid")
            if !running {
                if action == "shutdown" { return RecoveryReport(inRecovery: true, timeline: nil, lastReplayedLsn: nil,
                                                                lastReplayedTransactionAt: nil, serverLog: recoveryLines(log)) }
                try checkTargetReached(log: log, target: target)
                throw SnapshotError.recoveryIncomplete(detail: "the server stopped during recovery", log: logTail(log))
            }
            if let server = try? PGConnection(connection) {
                defer { server.close() }
                let row = try? server.query("""
                    SELECT pg_is_in_recovery()::text, CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END,
                           pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp()::text,
                           CASE WHEN pg_is_in_recovery() THEN NULL ELSE substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END
                    """).rows.first
                if let row {
                    let inRecovery = row[0] == "true"
                    let done = action == "promote" ? !inRecovery : (action == "pause" ? row[1] == "paused" : false)
                    if done {
                        // Recovery will ask for nothing more after promotion: the prefetched leftovers only take space,
                        // and restore_command's credentials have done their job.
                        if !inRecovery {
                            WALPrefetchSpool(directory: directory + "/pg_wal/" + WALPrefetchSpool.directoryName).remove()
                            credentials.map(RecoveryCredentials.remove)
                        }
                        return RecoveryReport(inRecovery: inRecovery, timeline: row[4].flatMap { Int($0, radix: 16) },
                                              lastReplayedLsn: row[2] ?? nil, lastReplayedTransactionAt: row[3] ?? nil,
                                              serverLog: recoveryLines(log))
                    }
                }
            }
            Thread.sleep(forTimeInterval: 0.1)   // recovery end is part of the RTO: notice it promptly
        }
        throw SnapshotError.recoveryIncomplete(detail: "still recovering after \(Int(limit)) s", log: logTail(log))
    }

    /// Runs a program that starts a daemon (pg_ctl start) and waits for it. Foundation's Process would hand the
    /// daemon an inherited descriptor and then wait for it to close (forever), so this spawns directly with every
    /// descriptor above 2 closed; stdout and stderr go to a private temporary file, returned as text.
    static func runDetaching(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
        var template = Array((FileManager.default.temporaryDirectory.path + "/lifeboat-pgctl-XXXXXX").utf8CString)
        let outputFD = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard outputFD >= 0 else { throw SnapshotError.serverStart(detail: "cannot create a temporary file", log: "") }
        let outputPath = String(cString: template)
        defer { close(outputFD); unlink(outputPath) }
        var spawn = Spawn(executable, arguments, environment: environment)
        (spawn.standardOutput, spawn.standardError) = (.descriptor(outputFD), .descriptor(outputFD))
        let status: Int32
        do {
            status = try spawn.run()
        } catch let error as SystemError {
            throw SnapshotError.serverStart(detail: "cannot run '\(executable)': \(error.reason)", log: "")
        }
        let output = ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return (status, output)
    }

    /// PostgreSQL (12+) shuts down when the archived WAL ends before the recovery target: a restore point that
    /// does not exist or precedes the snapshot, a time or position beyond the archive. Said plainly, not as a crash.
    func checkTargetReached(log: String, target: String) throws {
        let text = logText(log)
        let markers = ["recovery ended before configured recovery target was reached", "recovery stopped before reaching the target"]
        guard markers.contains(where: text.contains) else { return }
        throw SnapshotError.recoveryTargetMissed(target: target, log: logTail(log))
    }

    func logText(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func logTail(_ path: String) -> String {
        logText(path).split(separator: "\n").suffix(15).joined(separator: "\n")
    }

    /// The server's own account of where recovery stopped.
    func recoveryLines(_ path: String) -> [String] {
        let markers = ["recovery stopping", "redo done at", "last completed transaction", "selected new timeline", "recovery has paused",
                       "archive recovery complete", "consistent recovery state reached", "starting point-in-time recovery"]
        return logText(path).split(separator: "\n").map(String.init).filter { line in markers.contains { line.contains($0) } }
            .map { line in line.range(of: "LOG:  ").map { String(line[$0.upperBound...]) } ?? line }
    }
}
