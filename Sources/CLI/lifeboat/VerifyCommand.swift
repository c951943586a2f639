// lifeboat verify [ID|--all] [--wal]: read back and check every object; exit 4 naming each damaged object.
// --wal checks the WAL archive: continuity (a gap is a failure naming the missing segments) and every archived
// file read back as `wal get` would restore it. With an id or --all as well, both.
import ArgumentParser
import Engine
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Download, authenticate, checksum and unpack every object of a backup (default: latest).",
        discussion: """
            --wal verifies the WAL archive instead: every segment between the first and the last archived one must \
            be there (a gap is an integrity failure naming the missing segments), and every archived file is \
            downloaded, authenticated and checked against its record's size and SHA-256, as 'wal get' does. \
            Give a backup id or --all as well to verify backups and WAL in one run. An incremental snapshot is \
            verified with every backup of its chain, and the chain is authenticated link by link (a broken chain \
            is an integrity failure).
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Backup id or 'latest'.") var id: String?
    @Flag(name: .long, help: "Verify every backup.") var all = false
    @Flag(name: .long, help: "Verify the WAL archive: continuity and every archived file.") var wal = false
    @Flag(
        name: .long,
        help: "Check that every kept backup's Object Lock lasts as long as the policy keeps it (exit 3 if not).")
    var immutability = false
    @OptionGroup var rehydration: RehydrationFlags

    func validate() throws {
        if all && id != nil { throw ValidationError("pass a backup id or --all, not both") }
        if immutability && (all || id != nil || wal) {
            throw ValidationError("--immutability runs on its own; verify backups or WAL in a separate run")
        }
    }

    /// `--json`: `checks` as before (empty with --wal alone), `wal` with --wal.
    struct Result: Encodable {
        var checks: [ObjectCheck]
        var wal: WALVerifyReport?
    }

    func run() throws {
        let context = try CommandContext(options, command: "verify")
        let catalog = try context.catalog()
        let verification = Verification(context: context.engine, catalog: catalog)
        if immutability { return try verifyImmutability(context, verification) }
        let request = VerificationRequest(reference: id, all: all, wal: wal, rehydration: rehydration.options)
        let report = try verification.run(request)
        if wal {
            try context.emitJSON(Result(checks: report.backups.checks, wal: report.wal))
        } else {
            try context.emitJSON(report.backups)
        }
        for check in report.backups.checks {
            let status = check.ok ? "ok    " : "FAILED"
            context.say("\(status) \(check.backup) \(check.object)" + (check.problem.map { ": \($0)" } ?? ""))
        }
        if let error = report.listingFailure { throw error }
        if let walReport = report.wal { presentWAL(walReport, context) }
        if let failure = report.failure {
            // stderr names every damaged object by its key, whatever the output mode: stdout's FAILED lines are the
            // report (and are off with --quiet and --json), and whoever reads only the error (a cron mail, a log, a
            // script keeping stderr) must learn what is damaged, not just how many objects.
            report.damage.forEach { ExitCodes.printError($0) }
            throw failure
        }
        var summary: [String] = []
        if request.verifiesBackups {
            let chains = report.backups.checks.filter { $0.object == Verification.chainCheckName }.count
            let objects = report.backups.checks.count - chains
            summary.append(
                "\(objects) object(s) of \(report.manifests.count) backup(s)"
                    + (chains > 0 ? " and \(chains) incremental chain(s)" : ""))
        }
        if let walReport = report.wal {
            let timelines = Set(walReport.files.compactMap { WALName($0.name)?.timeline }).count
            summary.append("\(walReport.files.count) WAL file(s) on \(timelines) timeline(s), no gaps")
            if !walReport.partials.isEmpty { summary.append("\(walReport.partials.count) partial segment(s)") }
        }
        context.say("verified \(summary.joined(separator: " and ")): all intact")
    }

    /// Every WAL file's line, each gap, and the snapshots a gap or damage leaves unrestorable.
    func presentWAL(_ walReport: WALVerifyReport, _ context: CommandContext) {
        for check in walReport.files {
            let problem = check.problem.map { ": \($0)" } ?? ""
            context.say((check.ok ? "ok     wal " : "FAILED wal ") + check.name + problem)
        }
        for check in walReport.partials {
            let problem = check.problem.map { ": \($0)" } ?? " (\(check.size) bytes)"
            context.say((check.ok ? "ok     partial " : "FAILED partial ") + check.name + problem)
        }
        for gap in walReport.gaps { context.say("FAILED " + VerificationReport.describe(gap)) }
        for snapshot in walReport.unrestorableSnapshots {
            let missing = snapshot.missing.map { $0.first == $0.last ? $0.first : "\($0.first) … \($0.last)" }
                .joined(separator: ", ")
            context.say(
                "note: snapshot \(snapshot.backup) is not restorable: "
                    + (snapshot.problem ?? "its WAL \(missing) is not archived"))
        }
    }
}

extension VerifyCommand {
    /// --immutability: objects whose Object Lock ends before the policy stops keeping them; exit 3 when any.
    func verifyImmutability(_ context: CommandContext, _ verification: Verification) throws {
        let (report, verdict) = try verification.immutability(context.policies)
        try context.emitJSON(report)
        for finding in report.findings { context.say("\(finding.key): \(finding.problem)") }
        if let problem = report.problem { context.say("immutability: \(problem)") }
        let line =
            "immutability: \(report.checkedObjects) object(s) of kept backups checked, \(report.findings.count) not protected for their retention"
        context.say(line)
        try context.conclude(verdict, reason: report.problem ?? line)
    }
}
