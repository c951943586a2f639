// lifeboat check: configuration, PostgreSQL connectivity and client tools, repository access and key, and WAL
// archiving (archive_mode, archive_command, and a forced WAL switch whose segment must reach the repository),
// each with a hint when it fails. Warnings and skipped checks do not fail the run. Exit status is that of the
// first failure.
import ArgumentParser
import Diagnostics
import Engine
import Foundation
import Policy

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check configuration, database, tools, repository, key and WAL archiving.",
        discussion: """
            The archiving checks verify archive_mode and archive_command, force a WAL switch (pg_switch_wal(), when \
            the role may) and wait until that segment has arrived in the repository: 60 s at most, or \
            LIFEBOAT_CHECK_WAL_SECONDS. Logical-only set-ups (backup.type logical, archive_mode off) need no archiving.
            """)

    @OptionGroup var options: GlobalOptions

    struct Item: Codable {
        var check: String
        var ok: Bool
        var detail: String
        var hint: String?
        /// Present (true) for a warning: the check passed, but something should change.
        var warning: Bool?
        /// Present (true) when the check could not run; `detail` says why.
        var skipped: Bool?
    }

    func run() throws {
        let context = try CommandContext(options, command: "check")
        var items = [Item(check: "configuration", ok: true, detail: context.config.sourcePath)]
        var firstFailure: ExitStatus?
        @discardableResult
        func record(_ name: String, _ body: () throws -> String) -> Bool {
            recordFinding(name) { ArchiveFindingText(status: .ok, detail: try body(), hint: nil) }
        }
        @discardableResult
        func recordFinding(_ name: String, _ body: () throws -> ArchiveFindingText) -> Bool {
            do {
                let finding = try body()
                items.append(Item(check: name, ok: true, detail: finding.detail, hint: finding.hint,
                                  warning: finding.status == .warning ? true : nil, skipped: finding.status == .skipped ? true : nil))
                return true
            } catch {
                let failure = error as? LifeboatError
                items.append(Item(check: name, ok: false, detail: failure?.message ?? "\(error)", hint: failure?.hint))
                firstFailure = firstFailure ?? failure?.exitStatus ?? .failure
                return false
            }
        }
        let health = HealthCheck(context: context.engine)
        let postgres = record("postgresql") { try health.postgres() }
        if postgres && context.config.backup.type == .snapshot { record("replication") { try health.replication() } }
        record("client tools") { try health.tools() }
        let repository = record("repository") { try health.repository() }
        if repository { record("exclusive create") { try health.exclusiveCreate() } }
        let key = record("key") { try health.key() }
        recordFinding("policy") { try policyFinding(context, repositoryReachable: repository) }

        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let archive = ArchiveCheck(context: context.engine, configPath: context.configPath, binaryPath: binary)
        if !postgres {
            items.append(Item(check: "archiving", ok: true, detail: "skipped: PostgreSQL is not reachable", skipped: true))
        } else {
            var needed = false
            recordFinding("archiving") {
                let (finding, wanted) = try archive.mode()
                needed = wanted
                return ArchiveFindingText(finding)
            }
            if needed {
                var invokesLifeboat = false
                recordFinding("archive_command") {
                    let (finding, invokes) = try archive.command()
                    invokesLifeboat = invokes
                    return ArchiveFindingText(finding)
                }
                if !invokesLifeboat && context.config.backup.type != .snapshot {
                    items.append(Item(check: "wal switch", ok: true,
                                      detail: "skipped: archive_command does not run lifeboat and backup.type is logical", skipped: true))
                } else if repository && key {
                    recordFinding("wal switch") {
                        let (store, keyring) = try context.unlockedRepository()
                        return ArchiveFindingText(try archive.switchAndWait(repository: store, keyring: keyring))
                    }
                } else {
                    items.append(Item(check: "wal switch", ok: true, detail: "skipped: the repository or key check failed", skipped: true))
                }
            }
        }

        try context.emitJSON(items)
        for item in items {
            let tag = !item.ok ? "FAIL" : item.warning == true ? "WARN" : item.skipped == true ? "skip" : "ok  "
            context.say("\(tag) \(item.check): \(item.detail)" + (item.hint.map { "\n     HINT: \($0)" } ?? ""))
        }
        if let firstFailure { throw CommandOutcome(status: firstFailure) }
    }
}

/// A finding as the command shows it.
extension CheckCommand {
    /// The policy file parses (else exit 2 naming the field) and, when it asks for immutability, whether the
    /// repository can provide it.
    fileprivate func policyFinding(_ context: CommandContext, repositoryReachable: Bool) throws -> ArchiveFindingText {
        guard let policy = try context.policyIfConfigured() else {
            return ArchiveFindingText(status: .warning, detail: "no policy configured: prune cannot run; status uses a 15m RPO objective",
                                      hint: "add 'policy: policies/production.yml' (or your own, see policies/README.md) to the configuration")
        }
        var detail = "'\(policy.name)' (\(policy.sourcePath))"
        if let rpo = policy.objectives.rpo { detail += ", RPO objective \(DurationText.format(rpo))" }
        guard let immutability = policy.immutability, repositoryReachable else {
            return ArchiveFindingText(status: .ok, detail: detail, hint: nil)
        }
        let repository = try Repository.open(context.config.repository, environment: context.engine.environment, immutability: immutability)
        if let problem = repository.immutabilityProblem {
            return ArchiveFindingText(status: .warning, detail: detail + "; immutability is not in effect: \(problem)",
                                      hint: "use an S3 bucket created with Object Lock enabled, or remove 'immutability' from the policy")
        }
        return ArchiveFindingText(status: .ok, detail: detail + "; uploads are locked (\(immutability.mode.rawValue), \(immutability.days) days)", hint: nil)
    }
}

private struct ArchiveFindingText {
    var status: ArchiveFinding.Status
    var detail: String
    var hint: String?

    init(status: ArchiveFinding.Status, detail: String, hint: String?) {
        self.status = status
        self.detail = detail
        self.hint = hint
    }

    init(_ finding: ArchiveFinding) {
        self.init(status: finding.status, detail: finding.detail, hint: finding.hint)
    }
}
