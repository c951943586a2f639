// lifeboat restore: restore a database from a logical backup, after printing (or, with --dry-run, only
// printing) the plan. Refuses a non-empty target unless --clean.
import ArgumentParser
import Engine
import Foundation

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a database from a backup into a target database.",
        discussion: """
            The target is --target URL (its database name is the one restored into; created when missing), or, \
            without --target, the configured server with the backed-up database's name. A target with any user \
            relation is refused unless --clean. Every object is authenticated before pg_restore sees a byte, and \
            row counts are compared with the backup afterwards (a mismatch is exit 4).
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Backup id or 'latest'.") var backup: String
    @Option(name: .long, help: "Database of the backup to restore (needed when it holds several).") var database: String?
    @Option(name: .long, help: "Target connection URL; the password comes from PGPASSWORD or ~/.pgpass.") var target: String?
    @Option(name: .long, help: "Parallel pg_restore jobs (more than 1 decrypts to a private spool file first).") var jobs = 1
    @Flag(name: .long, help: "Drop the target's objects before restoring (pg_restore --clean --if-exists).") var clean = false
    @Flag(name: .long, help: "Restore roles and tablespaces from the backup first (existing roles are kept).") var globals = false
    @Flag(name: .long, help: "Do not restore ownership and privileges (when the roles do not exist on the target).") var noOwner = false
    @Option(name: .long, help: "Directory for the spool file when --jobs > 1 (default $TMPDIR or /tmp).") var spoolDir: String?
    @Flag(name: .long, help: "Print the plan and check the target, change nothing.") var dryRun = false

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() throws {
        let context = try CommandContext(options, command: "restore")
        let (repository, keyring) = try context.unlockedRepository()
        let engine = LogicalRestore(context: context.engine, repository: repository, keyring: keyring)
        let request = LogicalRestoreRequest(reference: backup, database: database, target: target, jobs: jobs, clean: clean,
                                            globals: globals, noOwner: noOwner, spoolDirectory: spoolDir)
        let (plan, _, _) = try engine.plan(request)
        if !options.json { printPlan(plan, context: context) }
        if dryRun {
            try context.emitJSON(plan)
            context.say("dry run: nothing was changed")
            return
        }
        let result = try engine.run(request)
        try context.emitJSON(result)
        context.say("restored '\(plan.database)' from \(plan.backup) into '\(plan.targetDatabase)': "
            + "\(result.tablesChecked) tables, \(result.rowsChecked) rows match the backup, \(Format.duration(result.seconds))")
    }

    func printPlan(_ plan: RestorePlan, context: CommandContext) {
        context.say("restore plan: database '\(plan.database)' from backup \(plan.backup) (finished \(Output.timestamp(plan.backupFinishedAt)))")
        context.say("  target \(plan.target)")
        for (index, step) in plan.steps.enumerated() { context.say("  \(index + 1). \(step)") }
    }
}
