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
        let options = "-p \(port) -k '\(directory)' -c listen_addresses=127.0.0.1 -c archive_mode=off"
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
                credentials: credentials)
            {
                return report
            }
            Thread.sleep(forTimeInterval: 0.1)  // recovery end is part of the RTO: notice it promptly
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

    /// Asks the server where recovery stands; a report once it has reached the target and acted (`promote`:
    /// promoted, `pause`: paused), nil while it is still recovering or not yet accepting connections.
    func reachedTarget(directory: String, port: Int, action: String, credentials: String?) throws -> RecoveryReport? {
        let connection = try ConnectionInfo(context.config.postgres.url)
            .withParameter("hostaddr", nil).withParameter("host", "127.0.0.1").withParameter("port", String(port))
            .with(database: "postgres")
        guard let server = try? PGConnection(connection) else { return nil }
        defer { server.close() }
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
        else { return nil }
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
