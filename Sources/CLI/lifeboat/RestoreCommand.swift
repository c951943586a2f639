// lifeboat restore: restore a database from a logical backup, or (with --data-dir) a snapshot into a data
// directory with point-in-time recovery settings, after printing (or, with --dry-run, only printing) the plan.
// Refuses a non-empty target unless --clean.
import ArgumentParser
import Configuration
import Engine
import Foundation

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a database from a backup into a target database, or a snapshot into a data directory.",
        discussion: """
            The target is --target URL (its database name is the one restored into; created when missing), or, \
            without --target, the configured server with the backed-up database's name. A target with any user \
            relation is refused unless --clean. Every object is authenticated before pg_restore sees a byte, and \
            row counts are compared with the backup afterwards (a mismatch is exit 4).

            With --data-dir DIR the newest snapshot finished before the target (--to-time / --to-lsn; none means \
            the end of the archived WAL) is extracted into DIR (refused when not empty unless --clean), with \
            recovery.signal and restore_command = 'lifeboat --config FILE wal get %f %p'. --start starts the server \
            on 127.0.0.1:PORT (archive_mode=off) and waits until recovery reaches the target. An incremental \
            snapshot is restored with its whole chain, read once newest first and written in place: DIR needs about \
            the cluster's size and nothing is staged.

            A snapshot's user tablespaces go back to their original directories when those are empty or absent; \
            --tablespace-map OID_OR_OLD_PATH=NEW_DIR (once per tablespace; '\\=' for a '=' in OLD_PATH) puts one \
            elsewhere, and a tablespace_map file makes recovery link it there. A non-empty original directory is \
            refused even with --clean (it may be the source server's); a non-empty NEW_DIR needs --clean.

            --to-name NAME recovers to a restore point made with SELECT pg_create_restore_point('NAME'). Its time is \
            unknown to lifeboat, so 'latest' uses the newest snapshot; if the restore point is older than that \
            snapshot, pass an older backup id (see 'lifeboat list'). A target that recovery never reaches shuts \
            the server down and is reported as such (exit 1).
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Backup id or 'latest'.") var backup: String
    @Option(name: .long, help: "Database of the backup to restore (needed when it holds several).") var database:
        String?
    @Option(name: .long, help: "Target connection URL; the password comes from PGPASSWORD or ~/.pgpass.") var target:
        String?
    @Option(
        name: .long,
        help:
            "Parallel pg_restore jobs, fed straight from the repository (backups made with backup --jobs; others restore with one)."
    )
    var jobs = 1
    @Flag(name: .long, help: "Drop the target's objects before restoring (pg_restore --clean --if-exists).") var clean =
        false
    @Flag(name: .long, help: "Restore roles and tablespaces from the backup first (existing roles are kept).")
    var globals = false
    @Flag(name: .long, help: "Do not restore ownership and privileges (when the roles do not exist on the target).")
    var noOwner = false
    @Flag(
        name: .long,
        help: "Leave the target database's settings, comment, privileges and connection limit as they are.")
    var noDatabaseSettings = false
    @Flag(name: .long, help: "Print the plan and check the target, change nothing.") var dryRun = false
    @Option(name: .long, help: "Physical restore of a snapshot into this data directory.") var dataDir: String?
    @Option(name: .long, help: "Recover up to this time (RFC 3339, e.g. 2026-11-21T19:53:12.345Z); with --data-dir.")
    var toTime: String?
    @Option(name: .long, help: "Recover up to this WAL position (e.g. 0/5000028); with --data-dir.") var toLsn: String?
    @Option(
        name: .long,
        help:
            "Recover up to this restore point (pg_create_restore_point); newest snapshot unless a backup id is given; with --data-dir."
    )
    var toName: String?
    @Option(name: .long, help: "At the target: promote (default), pause or shutdown; with --data-dir.")
    var targetAction: String?
    @Flag(name: .long, help: "Start the restored server and wait for recovery; with --data-dir and --port.") var start =
        false
    @Option(name: .long, help: "Port of the restored server (127.0.0.1); with --start.") var port: Int?
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Put a snapshot's tablespace (by OID or source location) into NEW_DIR; repeat per tablespace; with --data-dir.",
            valueName: "OID_OR_OLD_PATH=NEW_DIR"))
    var tablespaceMap: [String] = []
    @OptionGroup var rehydration: RehydrationFlags

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
        if dataDir == nil {
            for (name, given) in [
                ("--to-time", toTime != nil), ("--to-lsn", toLsn != nil), ("--to-name", toName != nil),
                ("--target-action", targetAction != nil), ("--tablespace-map", !tablespaceMap.isEmpty),
                ("--start", start), ("--port", port != nil),
            ] where given {
                throw ValidationError(
                    "\(name) needs --data-dir (point-in-time recovery restores a snapshot into a data directory)")
            }
            return
        }
        for (name, given) in [
            ("--database", database != nil), ("--target", target != nil), ("--globals", globals),
            ("--no-owner", noOwner),
            ("--no-database-settings", noDatabaseSettings),
            ("--jobs", jobs != 1),
        ] where given {
            throw ValidationError("\(name) does not apply to a snapshot restore (--data-dir)")
        }
        if [toTime, toLsn, toName].compactMap({ $0 }).count > 1 {
            throw ValidationError("pass one recovery target: --to-time, --to-lsn or --to-name")
        }
        if let toName, toName.isEmpty || toName.utf8.count > 63 || toName.utf8.contains(0) {
            throw ValidationError(
                "--to-name must be a restore point name of 1 to 63 bytes, as pg_create_restore_point accepts")
        }
        if let toTime, CatalogCoding.parseTimestamp(toTime) == nil {
            throw ValidationError("--to-time '\(toTime)' is not a time; use RFC 3339 such as 2026-11-21T19:53:12.345Z")
        }
        if let toLsn, LSN(toLsn) == nil {
            throw ValidationError("--to-lsn '\(toLsn)' is not a WAL position such as 0/5000028")
        }
        if let targetAction, !["promote", "pause", "shutdown"].contains(targetAction) {
            throw ValidationError("--target-action must be promote, pause or shutdown")
        }
        for text in tablespaceMap {
            do { _ = try TablespaceMapOption(parsing: text) } catch let error as TablespacePlanError {
                throw ValidationError(error.description)
            }
        }
        if start && port == nil { throw ValidationError("--start needs --port PORT") }
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be between 1 and 65535") }
    }

    func run() throws {
        let context = try CommandContext(options, command: "restore")
        let (repository, keyring) = try context.unlockedRepository()
        if let dataDir {
            let engine = PhysicalRestore(context: context.engine, repository: repository, keyring: keyring)
            try runPhysical(context: context, engine: engine, dataDirectory: dataDir)
            return
        }
        let engine = LogicalRestore(context: context.engine, repository: repository, keyring: keyring)
        let request = LogicalRestoreRequest(
            reference: backup, database: database, target: target, jobs: jobs,
            clean: clean, globals: globals, noOwner: noOwner,
            rehydration: rehydration.options,
            databaseSettings: !noDatabaseSettings)
        let plan = try engine.plan(request)
        let shown = plan.summary
        let header =
            "restore plan: database '\(shown.database)' from backup \(shown.backup) "
            + "(finished \(Output.timestamp(shown.backupFinishedAt)))"
        let detail = "target \(shown.target)"
        if try presentPlan(shown, header: header, detail: detail, steps: plan.steps, context: context) { return }
        let result = try engine.run(plan)
        try context.emitJSON(result)
        context.say(
            "restored '\(shown.database)' from \(shown.backup) into '\(shown.targetDatabase)': "
                + "\(result.tablesChecked) tables, \(result.rowsChecked) rows match the backup, "
                + Format.duration(result.seconds))
    }

    /// Prints a plan (header, one detail line, numbered steps); with --dry-run also emits it as JSON and
    /// returns true, meaning: stop here, nothing was changed.
    func presentPlan<Plan: Encodable>(
        _ plan: Plan, header: String, detail: String, steps: [String],
        context: CommandContext
    ) throws -> Bool {
        if !options.json {
            context.say(header)
            context.say("  \(detail)")
            for (index, step) in steps.enumerated() { context.say("  \(index + 1). \(step)") }
        }
        guard dryRun else { return false }
        try context.emitJSON(plan)
        context.say("dry run: nothing was changed")
        return true
    }

    func runPhysical(context: CommandContext, engine: PhysicalRestore, dataDirectory: String) throws {
        let plan = try engine.plan(try physicalRequest(context: context, dataDirectory: dataDirectory))
        let shown = plan.summary
        let header =
            "restore plan: snapshot \(shown.backup) (finished \(Output.timestamp(shown.backupFinishedAt)), "
            + "WAL \(shown.startLsn) to \(shown.stopLsn) on timeline \(shown.timeline)), target: \(shown.target)"
        var detail = "data directory \(shown.dataDirectory)"
        if let chain = shown.chain {
            detail +=
                "\n  incremental chain, newest first: "
                + chain.map { "\($0.backup) (\($0.type), \(Format.bytes($0.storedBytes)))" }.joined(separator: " ← ")
        }
        if try presentPlan(shown, header: header, detail: detail, steps: plan.steps, context: context) { return }
        let result = try engine.run(plan)
        try context.emitJSON(result)
        context.say(
            "restored snapshot \(shown.backup) into '\(shown.dataDirectory)': \(result.files) files, "
                + "\(Format.bytes(result.bytesExtracted)), \(Format.duration(result.seconds))")
        for link in result.chain ?? [] {
            context.say(
                "  \(link.backup): read \(Format.bytes(link.bytesRead)), wrote \(Format.bytes(link.bytesWritten))"
                    + " into \(link.files) files")
        }
        presentRecovery(result, plan: shown, context: context)
    }

    func physicalRequest(context: CommandContext, dataDirectory: String) throws -> PhysicalRestoreRequest {
        // Lexically only: a link in the path is for the engine to judge (it never follows one in place of the
        // directory itself), and resolving it here would hand the engine wherever the link pointed at this moment.
        let directory = PathResolver.resolve(dataDirectory, relativeTo: FileManager.default.currentDirectoryPath)
        let binary =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        return PhysicalRestoreRequest(
            reference: backup, dataDirectory: directory, toTime: toTime.flatMap(CatalogCoding.parseTimestamp),
            toLSN: toLsn.flatMap(LSN.init), toName: toName, targetAction: targetAction ?? "promote", clean: clean,
            start: start, port: port, configPath: context.configPath, binaryPath: binary,
            tablespaceMap: try tablespaceMap.map { try TablespaceMapOption(parsing: $0) },
            rehydration: rehydration.options)
    }

    /// Where recovery stopped (with --start), or how to start the server; and the credentials left to delete.
    func presentRecovery(_ result: PhysicalRestoreResult, plan: PhysicalRestoreSummary, context: CommandContext) {
        if let recovery = result.recovery {
            let state =
                recovery.inRecovery
                ? "still in recovery (\(plan.targetAction ?? "paused"))"
                : "promoted, now on timeline \(recovery.timeline.map(String.init) ?? "?")"
            context.say(
                "recovery reached: last replayed WAL \(recovery.lastReplayedLsn ?? "?"), "
                    + "last replayed transaction at \(recovery.lastReplayedTransactionAt ?? "none"); \(state); "
                    + "server on 127.0.0.1 port \(port ?? 0)")
            for line in recovery.serverLog { context.say("  server: \(line)") }
        } else {
            context.say("start it with: " + plan.startCommand.map(Self.shellWord).joined(separator: " "))
        }
        if let credentials = result.credentialsDirectory {
            context.say(
                "note: restore_command reads the repository credentials from '\(credentials)' "
                    + "(not the server's environment); delete it once recovery has ended: "
                    + "rm -r \(Self.shellWord(credentials))")
        }
    }

    static func shellWord(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "/._-=:".contains($0) }
            ? word
            : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
