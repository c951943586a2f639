// lifeboat prune: apply the policy's retention, WAL expiry and tiering. Prints the plan first (every backup
// and WAL range with its reason), then applies it; --dry-run stops after the plan, and --now T plans as of T
// (with --dry-run: "what would happen on date T").
import ArgumentParser
import Engine
import Foundation

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Apply retention, WAL expiry and tiering from the policy.",
        discussion: """
            The plan is printed first and recorded in the repository before anything changes. Expired backups lose \
            their manifest first, then their objects; expired WAL its record, then its object. Never removed: the \
            newest complete backup of each type, pinned backups, WAL a kept snapshot needs, objects under Object \
            Lock (reported as deferred). An interrupted prune is finished by the next one. Takes the cluster lock.
            """)

    @OptionGroup var options: GlobalOptions
    @Flag(name: .long, help: "Print the plan and change nothing.") var dryRun = false
    @Option(
        name: .long,
        help: "Plan as of this time (RFC 3339 or YYYY-MM-DD) instead of now; with --dry-run a what-if simulator.")
    var now: String?

    func validate() throws {
        if let now, CatalogCoding.parseTimestamp(now) == nil {
            throw ValidationError(
                "--now '\(now)' is not a time; use RFC 3339 such as 2027-03-01T00:00:00Z or a date 2027-03-01")
        }
    }

    func run() throws {
        let context = try CommandContext(options, command: "prune")
        let policy = try context.policies.required(by: "lifeboat prune")
        let catalog = try context.catalog()
        let instant = now.flatMap(CatalogCoding.parseTimestamp) ?? context.engine.now()
        if now != nil, !dryRun, instant > context.engine.now().addingTimeInterval(60) {
            context.engine.logger.warning(
                "applying the policy as of \(CatalogCoding.formatTimestamp(instant)), which is in the future: backups are deleted as they would be then"
            )
        }
        let outcome = try Pruner(context: context.engine, catalog: catalog, policy: policy).run(
            now: instant, dryRun: dryRun)
        try context.emitJSON(outcome)
        context.say(outcome.planText)
        for id in outcome.resumed {
            context.say(
                dryRun
                    ? "prune \(id) was interrupted; the next run finishes it"
                    : "finished the work of interrupted prune \(id)")
        }
        guard let result = outcome.result else {
            context.say("dry run: nothing changed")
            return
        }
        context.say(summary(result, id: outcome.id))
        let recorder = MetricsRecorder.shared
        recorder.record(bytes: result.bytesFreed)
        recorder.gauge(
            "lifeboat_prune_last_deleted_backups", Double(result.deletedBackups.count),
            help: "Backups deleted by the last prune.")
        recorder.gauge(
            "lifeboat_prune_last_deleted_wal_files", Double(result.deletedWal),
            help: "WAL files deleted by the last prune.")
        recorder.gauge(
            "lifeboat_prune_last_deferred_objects", Double(result.deferred.count),
            help: "Deletions the store refused in the last prune (Object Lock); retried by the next.")
        for item in result.deferred {
            context.say("deferred (Object Lock): \(item.key): \(item.reason)")
        }
    }

    func summary(_ result: PruneResult, id: String?) -> String {
        var parts = [
            "deleted \(result.deletedBackups.count) backup(s) and \(result.deletedWal) WAL file(s)",
            "freed \(Format.bytes(result.bytesFreed))",
        ]
        if !result.transitioned.isEmpty {
            parts.append(
                "moved \(result.transitioned.reduce(0) { $0 + $1.objects }) object(s) of \(result.transitioned.count) backup(s)"
            )
        }
        if result.abortedUploads > 0 { parts.append("aborted \(result.abortedUploads) stale upload(s)") }
        if !result.deferred.isEmpty { parts.append("\(result.deferred.count) deletion(s) deferred by Object Lock") }
        return "prune \(id ?? "?"): " + parts.joined(separator: ", ")
    }
}
