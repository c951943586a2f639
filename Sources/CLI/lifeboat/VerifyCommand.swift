// lifeboat verify [ID|--all] [--wal]: read back and check every object; exit 4 naming each damaged object.
// --wal checks the WAL archive: continuity (a gap is a failure naming the missing segments) and every archived
// file read back as `wal get` would restore it. With an id or --all as well, both.
import ArgumentParser
import Catalog
import Diagnostics
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
            Give a backup id or --all as well to verify backups and WAL in one run.
            """)

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Backup id or 'latest'.") var id: String?
    @Flag(name: .long, help: "Verify every backup.") var all = false
    @Flag(name: .long, help: "Verify the WAL archive: continuity and every archived file.") var wal = false
    @Flag(name: .long, help: "Check that every kept backup's Object Lock lasts as long as the policy keeps it (exit 3 if not).")
    var immutability = false
    @OptionGroup var rehydration: RehydrationFlags

    func validate() throws {
        if all && id != nil { throw ValidationError("pass a backup id or --all, not both") }
        if immutability && (all || id != nil || wal) { throw ValidationError("--immutability runs on its own; verify backups or WAL in a separate run") }
    }

    /// `--json`: `checks` as before (empty with --wal alone), `wal` with --wal.
    struct Result: Encodable {
        var checks: [ObjectCheck]
        var wal: WALVerifyReport?
    }

    func run() throws {
        let context = try CommandContext(options, command: "verify")
        let catalog = try context.catalog()
        if immutability { return try verifyImmutability(context, catalog) }
        let backupsToo = !wal || all || id != nil
        let manifests = backupsToo ? (all ? try catalog.manifests() : [try catalog.resolve(id ?? "latest")]) : []
        // Archived objects are requested all at once before any is read (one wait, not one per backup).
        try Rehydrator(store: catalog.repository.store, progress: context.engine.progress)
            .prepare(try manifests.flatMap(Rehydrator.keys(of:)), options: rehydration.options)
        let report = Verifier(repository: catalog.repository, keyring: catalog.keyring, cluster: context.config.cluster,
                              progress: context.engine.progress).verify(manifests)
        let walReport = wal ? try WALInventoryReader(context: context.engine, repository: catalog.repository, keyring: catalog.keyring)
            .verify(manifests: try catalog.manifests(), progress: context.engine.progress) : nil
        if wal {
            try context.emitJSON(Result(checks: report.checks, wal: walReport))
        } else {
            try context.emitJSON(report)
        }
        for check in report.checks {
            let status = check.ok ? "ok    " : "FAILED"
            context.say("\(status) \(check.backup) \(check.object)" + (check.problem.map { ": \($0)" } ?? ""))
        }
        if all && !wal {
            // `list` also authenticates the WAL archive's system record and the records ending each recoverable
            // window; --all must not pass a repository that list refuses (--wal reads all of them anyway).
            _ = try WALInventoryReader(context: context.engine, repository: catalog.repository, keyring: catalog.keyring)
                .inventory(manifests: manifests)
        }
        var problems: [String] = report.failures.map { "damaged: \($0.backup) \($0.object): \($0.problem ?? "")" }
        if let walReport {
            for check in walReport.files {
                context.say((check.ok ? "ok     wal " : "FAILED wal ") + check.name + (check.problem.map { ": \($0)" } ?? ""))
            }
            for gap in walReport.gaps {
                let line = "WAL gap on timeline \(gap.timeline): \(gap.first) … \(gap.last) (\(gap.segments) segment\(gap.segments == 1 ? "" : "s") missing)"
                context.say("FAILED " + line)
                problems.append(line)
            }
            problems += walReport.failures.map { "damaged: wal \($0.name): \($0.problem ?? "")" }
            for snapshot in walReport.unrestorableSnapshots {
                let missing = snapshot.missing.map { $0.first == $0.last ? $0.first : "\($0.first) … \($0.last)" }.joined(separator: ", ")
                context.say("note: snapshot \(snapshot.backup) is not restorable: " + (snapshot.problem ?? "its WAL \(missing) is not archived"))
            }
        }
        if !problems.isEmpty {
            // stderr names every damaged object by its key, whatever the output mode: stdout's FAILED lines are the
            // report (and are off with --quiet and --json), and whoever reads only the error (a cron mail, a log, a
            // script keeping stderr) must learn what is damaged, not just how many objects.
            let cluster = context.config.cluster
            let backupLines = report.failures.map { failure in
                let key = BackupID(failure.backup).map { RepositoryLayout.object(cluster: cluster, id: $0, name: failure.object) }
                return "damaged: \(key ?? "\(failure.backup) \(failure.object)"): \(failure.problem ?? "")"
            }
            (backupLines + problems.dropFirst(report.failures.count)).forEach { ExitCodes.printError($0) }
            if let walReport, !walReport.ok {
                throw WALVerificationFailure(damaged: report.failures.count + walReport.failures.count, gaps: walReport.gaps)
            }
            throw CommandFailure.verificationFailed(count: problems.count)
        }
        var summary: [String] = []
        if backupsToo { summary.append("\(report.checks.count) object(s) of \(manifests.count) backup(s)") }
        if let walReport {
            summary.append("\(walReport.files.count) WAL file(s) on \(Set(walReport.files.compactMap { WALName($0.name)?.timeline }).count) timeline(s), no gaps")
        }
        context.say("verified \(summary.joined(separator: " and ")): all intact")
    }
}

/// verify --wal found a gap or a damaged WAL file (exit 4); the message names the missing segments.
struct WALVerificationFailure: LifeboatError {
    let damaged: Int
    let gaps: [WALSegmentRange]
    var exitStatus: ExitStatus { .integrity }
    var message: String {
        var parts: [String] = []
        if damaged > 0 { parts.append("\(damaged) object(s) failed verification") }
        if !gaps.isEmpty {
            parts.append("the WAL archive has \(gaps.count) gap(s): " + gaps.map { gap in
                (gap.first == gap.last ? gap.first : "\(gap.first) … \(gap.last)") + " (\(gap.segments) segment(s) missing)"
            }.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }
    var hint: String? {
        "point-in-time recovery cannot pass a gap or a damaged WAL file: take a new snapshot now so the window restarts after it, "
            + "check archive_command and the server log (pg_stat_archiver), and investigate the repository storage"
    }
}

extension VerifyCommand {
    /// --immutability: objects whose Object Lock ends before the policy stops keeping them; exit 3 when any.
    func verifyImmutability(_ context: CommandContext, _ catalog: BackupCatalog) throws {
        let policy = try context.policy(for: "lifeboat verify --immutability")
        let report = try ImmutabilityAudit(catalog: catalog, context: context.engine, policy: policy).run(now: context.engine.now())
        try context.emitJSON(report)
        for finding in report.findings { context.say("\(finding.key): \(finding.problem)") }
        if let problem = report.problem { context.say("immutability: \(problem)") }
        let line = "immutability: \(report.checkedObjects) object(s) of kept backups checked, \(report.findings.count) not protected for their retention"
        context.say(line)
        // No immutability in the policy is a choice, not a failure; a policy that asks for it and cannot have it is.
        guard report.ok || policy.immutability == nil else {
            if options.quiet || options.json { ExitCodes.printError(report.problem ?? line) }
            throw CommandOutcome(status: .objectiveNotMet)
        }
    }
}
