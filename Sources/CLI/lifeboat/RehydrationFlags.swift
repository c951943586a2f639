// RehydrationFlags: the options of commands that read backups which may sit in an archive storage class
// (GLACIER, DEEP_ARCHIVE): restore and verify.
import ArgumentParser
import Engine

struct RehydrationFlags: ParsableArguments {
    @Flag(name: .long, help: "When objects are in an archive storage class, wait until their rehydration completes.")
    var wait = false
    @Option(name: .long, help: "Rehydration tier: expedited, standard (default) or bulk.")
    var rehydrateTier: String = "standard"
    @Option(name: .long, help: "Days the rehydrated copies stay readable (default 3).")
    var rehydrateDays: Int = 3
    @Option(name: .long, help: ArgumentHelp("Seconds between rehydration checks.", visibility: .hidden))
    var rehydratePoll: Double = 60

    func validate() throws {
        guard RehydrationOptions.isTierName(rehydrateTier) else {
            throw ValidationError("--rehydrate-tier must be expedited, standard or bulk")
        }
        guard (1...365).contains(rehydrateDays) else {
            throw ValidationError("--rehydrate-days must be between 1 and 365")
        }
        guard rehydratePoll > 0 else { throw ValidationError("--rehydrate-poll must be positive") }
    }

    var options: RehydrationOptions {
        RehydrationOptions(wait: wait, tierName: rehydrateTier, days: rehydrateDays, pollInterval: rehydratePoll)
    }
}
