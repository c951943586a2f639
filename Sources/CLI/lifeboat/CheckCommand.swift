// lifeboat check: configuration, PostgreSQL connectivity and client tools, repository access and key, and WAL
// archiving (archive_mode, archive_command, and a forced WAL switch whose segment must reach the repository),
// each with a hint when it fails. Warnings and skipped checks do not fail the run. Exit status is that of the
// first failure. Which checks run and in what order is the engine's (HealthCheckRun); this file shows them.
import ArgumentParser
import Engine
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check configuration, database, tools, repository, key and WAL archiving.",
        discussion: """
            The archiving checks verify archive_mode and archive_command, force a WAL switch (pg_switch_wal(), when \
            the role may) and wait until that segment has arrived in the repository: 60 s at most, or \
            LIFEBOAT_CHECK_WAL_SECONDS. Logical-only set-ups (backup.type logical, archive_mode off) need no \
            archiving. With postgres.standby_url set, the standby is checked as a snapshot from it would be \
            (replication connection, in recovery, same system, full_page_writes and CHECKPOINT/pg_switch_wal() rights \
            on the primary) and its lag is shown: beyond postgres.standby_max_lag it is a warning.
            """)

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let context = try CommandContext(options, command: "check")
        let binary =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let request = CheckRequest(
            configPath: context.configPath, binaryPath: binary, policies: context.policies,
            unlockRepository: context.unlockedRepository)
        let report = HealthCheckRun(context: context.engine, request: request).run()
        try context.emitJSON(report.items)
        for item in report.items {
            let tag = !item.ok ? "FAIL" : item.warning == true ? "WARN" : item.skipped == true ? "skip" : "ok  "
            context.say("\(tag) \(item.check): \(item.detail)" + (item.hint.map { "\n     HINT: \($0)" } ?? ""))
        }
        try context.conclude(report.verdict)
    }
}
