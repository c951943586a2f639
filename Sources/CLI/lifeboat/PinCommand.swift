// lifeboat pin / unpin: keep a backup regardless of the retention policy (prune never removes it), or stop
// doing so. With Object Lock in the policy the pin also protects the objects in the store.
import ArgumentParser
import Engine
import Foundation

struct PinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Keep a backup regardless of retention (indefinitely, or until a date).",
        discussion:
            "With immutability in the policy and an Object Lock bucket, --until extends every object's retain-until date and an indefinite pin sets a legal hold."
    )

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Backup id, or 'latest'.") var backup: String
    @Option(name: .long, help: "Keep until DATE (YYYY-MM-DD or RFC 3339) instead of indefinitely.") var until: String?

    func validate() throws {
        if let until, CatalogCoding.parseTimestamp(until) == nil {
            throw ValidationError("--until '\(until)' is not a date; use YYYY-MM-DD or 2027-12-31T00:00:00Z")
        }
    }

    func run() throws {
        let context = try CommandContext(options, command: "pin")
        let change = try Pinning(
            context: context.engine, catalog: try context.catalog(),
            policy: try context.policies.policyIfConfigured()
        )
        .set(backup, pinned: true, until: until.flatMap(CatalogCoding.parseTimestamp))
        try context.emitJSON(change)
        let how = change.keepUntil.map { "until \(Output.timestamp($0))" } ?? "until unpinned"
        context.say(
            "pinned \(change.backup) \(how)"
                + (change.lockedObjects > 0 ? " (Object Lock updated on \(change.lockedObjects) objects)" : ""))
    }
}

struct UnpinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin",
        abstract: "Let the retention policy decide about a pinned backup again.")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Backup id, or 'latest'.") var backup: String

    func run() throws {
        let context = try CommandContext(options, command: "unpin")
        let change = try Pinning(
            context: context.engine, catalog: try context.catalog(),
            policy: try context.policies.policyIfConfigured()
        )
        .set(backup, pinned: false, until: nil)
        try context.emitJSON(change)
        context.say("unpinned \(change.backup); the retention policy decides from now on")
    }
}
