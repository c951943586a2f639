// lifeboat wal push / wal get: PostgreSQL's archive_command and restore_command.
//   archive_command = 'lifeboat --config /etc/lifeboat/lifeboat.yml wal push %p'
//   restore_command = 'lifeboat --config /etc/lifeboat/lifeboat.yml wal get %f %p'
// Both are silent on success (their output lands in the server log once per file; --json prints a result,
// LIFEBOAT_LOG_LEVEL=info logs one line). `wal get` of a file that is not archived exits 1 with at most one
// info-level log line, because PostgreSQL probes for files that do not exist (history files, the next segment).
// With `wal.prefetch` > 0 (default 8), `wal get` of a segment answers from pg_wal/lifeboat-prefetch/ when the
// segment is there and, unless one runs, starts the hidden `wal prefetch` in the background, which keeps the next
// ones spooled as recovery moves on (Engine/WALArchive+Prefetch.swift). With `wal.async`, `wal push` answers from
// the background pusher's markers and starts the hidden `wal pusher` when none runs (Engine/WAL/WALAsyncHandover.swift,
// WALPusher.swift). PostgreSQL's shapes of both commands skip ArgumentParser (WALFastPath.swift).
import ArgumentParser
import Engine
import Foundation

struct WALCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Archive and fetch WAL files (PostgreSQL's archive_command and restore_command).",
        subcommands: [Push.self, Get.self, Receive.self, Prefetch.self, Pusher.self])

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Archive one WAL file; re-pushing the identical file succeeds, a different one is refused.",
            discussion:
                "Use as archive_command = 'lifeboat --config FILE wal push %p'. Takes no lock: backups run concurrently. "
                + "Also archives up to wal.push_parallel (default 4) other .ready segments in parallel and marks them in "
                + "pg_wal/lifeboat-pushed/, so PostgreSQL's own call for them succeeds after a local SHA-256 check. "
                + "With wal.async a background pusher archives .ready segments ahead of PostgreSQL and this command "
                + "succeeds from its marker in wal.spool_dir, waiting for it at most wal.async_timeout seconds.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Path of the WAL file (PostgreSQL's %p, relative to the data directory).") var path: String

        func validate() throws {
            guard WALName(fileAt: path) != nil else {
                throw ValidationError(
                    "'\(path)' does not name a WAL file: expected a segment such as pg_wal/000000010000000000000003, "
                        + "a .partial segment, a .history or a .backup file")
            }
        }

        func run() throws {
            let context = try CommandContext(options, command: "wal push")
            WALCommand.recordBacklog(path: path)
            if context.config.wal.async, let spoolDir = context.config.wal.spoolDir {
                return try runAsync(context, spool: WALAsyncSpool(root: spoolDir, cluster: context.config.cluster))
            }
            if let marked = try WALArchive.pushedEarlier(path: path, context: context.engine) {
                try context.emitJSON(marked)
                return
            }
            let (repository, keyring) = try context.unlockedRepository()
            let result = try WALArchive(context: context.engine, repository: repository, keyring: keyring)
                .push(path: path, alongWithReady: context.config.wal.pushParallel)
            MetricsRecorder.shared.record(bytes: result.storedSize ?? 0)
            try context.emitJSON(result)
        }

        /// wal.async: success from the background pusher's marker; history, backup history and .partial files
        /// (and a file that does not match its marker) are pushed synchronously, one at a time.
        func runAsync(_ context: CommandContext, spool: WALAsyncSpool) throws {
            let handover = WALAsyncHandover(
                spool: spool, logger: context.engine.logger, timeout: context.config.wal.asyncTimeout,
                queueMax: context.config.wal.queueMax)
            if let result = try handover.await(path: path, startPusher: { try startPusher(context) }) {
                return try context.emitJSON(result)
            }
            let (repository, keyring) = try context.unlockedRepository()
            let result = try WALArchive(context: context.engine, repository: repository, keyring: keyring)
                .push(path: path)
            MetricsRecorder.shared.record(bytes: result.storedSize ?? 0)
            try context.emitJSON(result)
        }

        /// Spawns `wal pusher` for this file's pg_wal, detached (it outlives this call).
        func startPusher(_ context: CommandContext) throws {
            let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
            let pgWAL =
                directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
            do {
                try DetachedProcess.spawn(
                    WALCommand.executable,
                    ["--config", context.configPath, "--no-progress", "wal", "pusher", "--pg-wal", pgWAL],
                    environment: context.engine.environment)
            } catch WALError.prefetchNotStarted(let detail) {
                throw WALError.pusherNotStarted(detail: detail)
            }
            context.engine.logger.info("started the background wal pusher", metadata: ["pg_wal": "\(pgWAL)"])
        }
    }

    /// This binary, for the helpers it starts detached.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Started by `wal push` with wal.async (detached); not for direct use.
    struct Pusher: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pusher",
            abstract: "Archive the .ready segments of pg_wal in the background (started by 'wal push' with wal.async).",
            shouldDisplay: false)

        @OptionGroup var options: GlobalOptions
        @Option(name: .customLong("pg-wal"), help: "The pg_wal directory (absolute).") var pgWAL: String
        @Option(name: .long, help: "Seconds without work before it exits.") var idleExit: Double = 10

        func validate() throws {
            guard pgWAL.hasPrefix("/") else { throw ValidationError("--pg-wal must be an absolute path") }
            guard idleExit > 0 else { throw ValidationError("--idle-exit must be positive") }
        }

        func run() throws {
            let context = try CommandContext(options, command: "wal pusher")
            let settings = context.config.wal
            guard settings.async, let spoolDir = settings.spoolDir else {
                throw ValidationError(
                    "wal pusher runs only with 'wal: { async: true, spool_dir: ... }' in the configuration")
            }
            let spool = WALAsyncSpool(root: spoolDir, cluster: context.config.cluster)
            let (repository, keyring): (Repository, Keyring)
            do {
                (repository, keyring) = try context.unlockedRepository()
            } catch {
                // The waiting archive_command reports this instead of a bare timeout.
                WALPusher.recordStartFailure(spool: spool, pgWAL: pgWAL, error: error)
                throw error
            }
            let archive = WALArchive(context: context.engine, repository: repository, keyring: keyring)
            try WALPusher(
                archive: archive, spool: spool, pgWAL: pgWAL, parallel: settings.pushParallel, idleExit: idleExit
            ).run()
        }
    }

    /// Taken before pushing, so a failing push reports the backlog that keeps growing behind it.
    static func recordBacklog(path: String) {
        let recorder = MetricsRecorder.shared
        guard recorder.isEnabled, let backlog = WALArchive.readyBacklog(path: path, now: Date()) else { return }
        recorder.gauge(
            "lifeboat_wal_ready_files", Double(backlog.files),
            help:
                "WAL files PostgreSQL waits to archive (.ready in pg_wal/archive_status, the pushed one included) when wal push last ran."
        )
        recorder.gauge(
            "lifeboat_wal_ready_oldest_age_seconds", backlog.oldestWaitingSeconds,
            help: "How long the oldest of them had been waiting to be archived when wal push last ran.")
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "Restore one archived WAL file to DEST (atomically); exit 1 when it is not archived.",
            discussion:
                "Use as restore_command = 'lifeboat --config FILE wal get %f %p'. Damaged data is exit 4 and DEST is not created. "
                + "A segment is taken from pg_wal/lifeboat-prefetch/ when it was prefetched; otherwise it is fetched, and a background "
                + "prefetcher keeps the next wal.prefetch (default 8) segments there, verified like this command verifies."
        )

        @OptionGroup var options: GlobalOptions
        @Argument(help: "WAL file name (PostgreSQL's %f).") var name: String
        @Argument(help: "Where to write it (PostgreSQL's %p).") var destination: String

        func validate() throws {
            guard WALName(name) != nil else {
                throw ValidationError(
                    "'\(name)' is not a WAL file name: expected e.g. 000000010000000000000003 or 00000002.history")
            }
        }

        func run() throws {
            let context = try CommandContext(options, command: "wal get")
            let ahead = context.config.wal.prefetch
            let segment = WALName(name).flatMap { $0.kind == .segment && ahead > 0 ? $0 : nil }
            let spool = WALPrefetchSpool(destination: destination)
            if let segment, let result = try spool.deliver(segment, to: destination) {
                context.engine.logger.info("wal file restored from the prefetch spool", metadata: ["wal": "\(segment)"])
                startPrefetcher(context, after: segment, segmentSize: result.size, count: ahead)
                try context.emitJSON(result)
                return
            }
            let repository = try context.openRepository()
            do {
                guard try WALArchive.mayServe(WALName(name)!, repository: repository, cluster: context.config.cluster)
                else { throw WALError.notArchived(name: name, cluster: context.config.cluster) }
                let keyring = try context.unlock(repository)
                let result = try WALArchive(context: context.engine, repository: repository, keyring: keyring)
                    .get(name: name, destination: destination) { size in
                        // Started before this segment downloads, so the next ones arrive while it does.
                        if let segment { startPrefetcher(context, after: segment, segmentSize: size, count: ahead) }
                    }
                try context.emitJSON(result)
            } catch let missing as WALError {
                guard case .notArchived = missing else { throw missing }
                context.engine.logger.info("\(missing.message)")
                try context.conclude(.failed)
            }
        }

        /// Prefetching is an optimisation: a failure to start it is logged and recovery goes on. A running
        /// prefetcher follows the segment recorded here, so a new one starts only when none holds the lock (the
        /// record comes first: a prefetcher that is about to exit looks at it after releasing the lock).
        func startPrefetcher(_ context: CommandContext, after segment: WALName, segmentSize: Int64, count: Int) {
            let spooled = WALPrefetchSpool(destination: destination)
            spooled.recordAsked(segment)
            guard !spooled.prefetcherIsRunning() else { return }
            let binary = WALCommand.executable
            let spool = spooled.directory
            let absoluteSpool = spool.hasPrefix("/") ? spool : FileManager.default.currentDirectoryPath + "/" + spool
            do {
                try DetachedProcess.spawn(
                    binary,
                    [
                        "--config", context.configPath, "--no-progress", "wal", "prefetch", segment.rawValue,
                        "--spool", absoluteSpool, "--segment-size", String(segmentSize), "--count", String(count),
                    ],
                    environment: context.engine.environment)
            } catch let error as WALError {
                context.engine.logger.warning("\(error.message)")
            } catch {
                context.engine.logger.warning("the WAL prefetcher did not start: \(error)")
            }
        }
    }

    struct Receive: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "receive",
            abstract: "Stream WAL over a replication slot into the repository (a long-running service).",
            discussion:
                "Streams over a physical replication slot (wal.slot, default lifeboat_<cluster>; created when missing) "
                + "from where the archive ends, archives every completed segment as 'wal push' does and stores the "
                + "segment being filled as a partial every wal.partial_every (default 10s), which 'wal get' serves "
                + "when a restore reaches the end of the archive: RPO in seconds. The server may release WAL only "
                + "once it is in the repository. Reconnects after a restart of either side and follows a new timeline. "
                + "Run it as a service (scripts/schedule/systemd/lifeboat-wal-receive.service); SIGTERM stops it (exit 0)."
        )

        @OptionGroup var options: GlobalOptions

        func run() throws {
            let context = try CommandContext(options, command: "wal receive")
            let (repository, keyring) = try context.unlockedRepository()
            let receiver = try WALReceiver(context: context.engine, repository: repository, keyring: keyring)
            Interruption.shared.exitStatusOnSignal = 0  // stopping a service is its normal end
            try receiver.run()
        }
    }

    /// Started by `wal get` (detached); not for direct use.
    struct Prefetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prefetch",
            abstract: "Fetch the segments after NAME into the prefetch spool (started by 'wal get').",
            shouldDisplay: false)

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The segment recovery asked for last.") var name: String
        @Option(name: .long, help: "The spool directory (pg_wal/lifeboat-prefetch).") var spool: String
        @Option(name: .long, help: "wal_segment_size in bytes.") var segmentSize: Int
        @Option(name: .long, help: "How many segments to fetch ahead.") var count: Int

        func validate() throws {
            guard let segment = WALName(name), segment.kind == .segment else {
                throw ValidationError("'\(name)' is not a segment name")
            }
            guard spool.hasPrefix("/"), spool.hasSuffix("/" + WALPrefetchSpool.directoryName) else {
                throw ValidationError("--spool must be an absolute path ending in /\(WALPrefetchSpool.directoryName)")
            }
            guard WALSegmentHeader.isValidSegmentSize(UInt64(max(0, segmentSize))) else {
                throw ValidationError("--segment-size is not a WAL segment size")
            }
            guard (1...64).contains(count) else { throw ValidationError("--count must be between 1 and 64") }
        }

        func run() throws {
            let context = try CommandContext(options, command: "wal prefetch")
            let (repository, keyring) = try context.unlockedRepository()
            try WALArchive(context: context.engine, repository: repository, keyring: keyring)
                .prefetch(
                    after: WALName(name)!, count: count, segmentSize: UInt64(segmentSize),
                    spool: WALPrefetchSpool(directory: spool))
        }
    }
}
