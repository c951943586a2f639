// lifeboat verify [ID|--all]: read back and check every object; exit 4 naming each damaged object.
import ArgumentParser
import Engine
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Download, authenticate, checksum and unpack every object of a backup (default: latest).")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Backup id or 'latest'.") var id: String?
    @Flag(name: .long, help: "Verify every backup.") var all = false

    func validate() throws {
        if all && id != nil { throw ValidationError("pass a backup id or --all, not both") }
    }

    func run() throws {
        let context = try CommandContext(options, command: "verify")
        let catalog = try context.catalog()
        let manifests = all ? try catalog.manifests() : [try catalog.resolve(id ?? "latest")]
        let report = Verifier(repository: catalog.repository, keyring: catalog.keyring, cluster: context.config.cluster,
                              progress: context.engine.progress).verify(manifests)
        try context.emitJSON(report)
        for check in report.checks {
            let status = check.ok ? "ok    " : "FAILED"
            context.say("\(status) \(check.backup) \(check.object)" + (check.problem.map { ": \($0)" } ?? ""))
        }
        if !report.ok {
            for failure in report.failures where options.quiet || options.json {
                ExitCodes.printError("damaged: \(failure.backup) \(failure.object): \(failure.problem ?? "")")
            }
            throw CommandFailure.verificationFailed(count: report.failures.count)
        }
        context.say("verified \(report.checks.count) object(s) of \(manifests.count) backup(s): all intact")
    }
}
