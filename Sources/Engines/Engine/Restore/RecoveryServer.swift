// RecoveryServer: starts a restored data directory's server as the OS user (archive_mode=off: it must not
// archive into this repository), with none of lifeboat's secrets in its environment, and watches recovery
// until it reaches its target; the recovery point reached is reported from the server itself.
import Catalog
import Foundation
import PGClient
import Pipeline

struct RecoveryServer {
    let context: EngineContext
    /// The OS user the server runs as when lifeboat runs as root; nil otherwise.
    let osUser: String?
    static let logName = "lifeboat-restore.log"
    /// A base backup's pg_control says the cluster was not shut down, so the server makes its whole data directory
    /// durable before recovery, by default opening and fsyncing every file: over a second for a 1 GB cluster, most
    /// of the time between "files written" and "promoted". The restore has just made every file durable with
    /// syncfs (docs/format.md §6.5), so the server's pass only needs to be one syncfs per file system, which
    /// PostgreSQL offers from 14 on (`recovery_init_sync_method`).
    static let syncfsMinimumVersion = 140000

    /// The command that starts the restored server. `strict` (lifeboat starts it now): a missing pg_ctl, or
    /// one of another major than the data directory's, is an error; otherwise (a command printed for later,
    /// perhaps on another host) a bare `pg_ctl` stands in for one not found here.
    func startArguments(
        _ manifest: BackupManifest, directory: String, port: Int,
        strict: Bool = false
    ) throws -> [String] {
        let tools = PostgresTools(
            binDir: context.config.postgres.binDir,
            serverMajor: manifest.server.versionNumber / 10000,
            environment: context.toolEnvironment)
        let pgCtl = strict ? try tools.path("pg_ctl") : ((try? tools.path("pg_ctl")) ?? "pg_ctl")
        var options = "-p \(port) -k '\(directory)' -c listen_addresses=127.0.0.1 -c archive_mode=off"
        if manifest.server.versionNumber >= Self.syncfsMinimumVersion {
            options += " -c recovery_init_sync_method=syncfs"
        }
        let log = directory + "/" + Self.logName
        let command = [pgCtl, "-D", directory, "-l", log, "-o", options, "-w", "-t", "300", "start"]
        guard let user = osUser else { return command }
        return ["runuser", "-u", user, "--"] + command
    }

    /// `started` is called once pg_ctl reports the server up (it accepts connections once consistent).
    /// `credentials` (RecoveryCredentials) are removed once the server is seen promoted: recovery asks for nothing
    /// more.
    func startAndWait(
        manifest: BackupManifest, directory: String, port: Int, action: String, target: String,
        credentials: String? = nil, started: (() -> Void)? = nil
    ) throws -> RecoveryReport {
        try start(manifest: manifest, directory: directory, port: port, action: action, target: target)
        started?()
        let limit = Double(context.environment["LIFEBOAT_RECOVERY_WAIT_SECONDS"] ?? "") ?? 3600
        let deadline = Date().addingTimeInterval(limit)
        let log = directory + "/" + Self.logName
        context.progress.begin("recovery: replaying archived WAL (\(action) at the target)")
        defer { context.progress.end() }
        // One connection for the whole wait: a query on it costs the server next to nothing, so it is asked
        // often, and the end of recovery (part of the RTO) is seen within a poll interval, without a backend
        // started for every look.
        var watch: PGConnection?
        defer { watch?.close() }
        while Date() < deadline {
            if !FileManager.default.fileExists(atPath: directory + "/postmaster.pid") {
                if action == "shutdown" {
                    return RecoveryReport(
                        inRecovery: true, timeline: nil, lastReplayedLsn: nil,
                        lastReplayedTransactionAt: nil, serverLog: recoveryLines(log))
                }
                try checkTargetReached(log: log, target: target)
                throw SnapshotError.recoveryIncomplete(detail: "the server stopped during recovery", log: logTail(log))
            }
            if let report = try reachedTarget(
                directory: directory, port: port, action: action,
                credentials: credentials, connection: &watch)
            {
                return report
            }
            Thread.sleep(forTimeInterval: watch == nil ? Self.connectInterval : Self.pollInterval)
        }
        throw SnapshotError.recoveryIncomplete(detail: "still recovering after \(Int(limit)) s", log: logTail(log))
    }

    /// Runs pg_ctl start (as the OS user when root). A failure that is recovery missing its target says so.
    func start(manifest: BackupManifest, directory: String, port: Int, action: String, target: String) throws {
        var arguments = try startArguments(manifest, directory: directory, port: port, strict: true)
        let executable: String
        if arguments[0] == "runuser" {
            executable =
                ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"]
                .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/runuser"
        } else {
            executable = arguments[0]
        }
        arguments.removeFirst()
        context.progress.begin("start the restored server on port \(port)")
        let (status, output) = try DaemonLauncher.runDetaching(
            executable, arguments,
            environment: context.serverEnvironment)
        context.progress.end()
        let log = directory + "/" + Self.logName
        if status != 0 && action != "shutdown" {
            try checkTargetReached(log: log, target: target)
            throw SnapshotError.serverStart(detail: "pg_ctl exited with status \(status): \(output)", log: logTail(log))
        }
    }

    /// Seconds between two looks at a server that accepts connections, and between two connection attempts.
    static let pollInterval = 0.02
    static let connectInterval = 0.05

    /// Asks the server where recovery stands; a report once it has reached the target and acted (`promote`:
    /// promoted, `pause`: paused), nil while it is still recovering or not yet accepting connections.
    /// `connection` is kept between calls: connected when nil, dropped (to reconnect) when a query fails.
    func reachedTarget(
        directory: String, port: Int, action: String, credentials: String?, connection: inout PGConnection?
    ) throws -> RecoveryReport? {
        if connection == nil {
            let info = try ConnectionInfo(context.config.postgres.url)
                .withParameter("hostaddr", nil).withParameter("host", "127.0.0.1").withParameter("port", String(port))
                .with(database: "postgres")
            connection = try? PGConnection(info)
        }
        guard let server = connection else { return nil }
        guard
            let row = try? server.query(
                """
                SELECT pg_is_in_recovery()::text,
                       CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() END,
                       pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp()::text,
                       CASE WHEN pg_is_in_recovery() THEN NULL
                            ELSE substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END
                """
            ).rows.first
        else {
            server.close()
            connection = nil
            return nil
        }
        let inRecovery = row[0] == "true"
        let done = action == "promote" ? !inRecovery : (action == "pause" ? row[1] == "paused" : false)
        guard done else { return nil }
        // Recovery will ask for nothing more after promotion: the prefetched leftovers only take space, and
        // restore_command's credentials have done their job.
        if !inRecovery {
            WALPrefetchSpool(directory: directory + "/pg_wal/" + WALPrefetchSpool.directoryName).remove()
            credentials.map(RecoveryCredentials.remove)
        }
        return RecoveryReport(
            inRecovery: inRecovery, timeline: row[4].flatMap { Int($0, radix: 16) },
            lastReplayedLsn: row[2] ?? nil, lastReplayedTransactionAt: row[3] ?? nil,
            serverLog: recoveryLines(directory + "/" + Self.logName))
    }

    /// PostgreSQL (12+) shuts down when the archived WAL ends before the recovery target: a restore point that
    /// does not exist or precedes the snapshot, a time or position beyond the archive. Said plainly, not as a crash.
    func checkTargetReached(log: String, target: String) throws {
        let text = logText(log)
        let markers = [
            "recovery ended before configured recovery target was reached",
            "recovery stopped before reaching the target",
        ]
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
        let markers = [
            "recovery stopping", "redo done at", "last completed transaction", "selected new timeline",
            "recovery has paused", "archive recovery complete", "consistent recovery state reached",
            "starting point-in-time recovery",
        ]
        return logText(path).split(separator: "\n").map(String.init)
            .filter { line in markers.contains { line.contains($0) } }
            .map { line in line.range(of: "LOG:  ").map { String(line[$0.upperBound...]) } ?? line }
    }

    /// After a failed start: a stopped server needs no credentials (a new restore writes new ones); one still
    /// recovering (the wait timed out) does, and the operator is told where they are.
    func keepCredentialsOnlyWhileRunning(_ credentials: String?, directory: String) {
        guard let credentials else { return }
        if FileManager.default.fileExists(atPath: directory + "/postmaster.pid") {
            context.logger.warning(
                """
                restore_command's credentials remain in '\(credentials)' while the server recovers; \
                delete it once recovery has ended
                """)
        } else {
            RecoveryCredentials.remove(credentials)
        }
    }
}
