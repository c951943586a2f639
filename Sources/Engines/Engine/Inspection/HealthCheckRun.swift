// HealthCheckRun: `lifeboat check` as one engine step — which checks run, in which order, which are skipped
// because an earlier one failed — over the individual checks of HealthCheck and ArchiveCheck. Configuration,
// PostgreSQL connectivity and client tools, repository access and key, the policy, and WAL archiving
// (archive_mode, archive_command, and a forced WAL switch whose segment must reach the repository).
import Configuration
import Foundation
import Policy

public struct HealthCheckRun {
    let context: EngineContext
    let request: CheckRequest

    public init(context: EngineContext, request: CheckRequest) {
        self.context = context
        self.request = request
    }

    public func run() -> CheckReport {
        let configuration = CheckItem(check: "configuration", ok: true, detail: context.config.sourcePath)
        var report = CheckReport(items: [configuration])
        let health = HealthCheck(context: context)
        let postgres = report.record("postgresql") { try health.postgres() }
        if postgres && context.config.backup.type == .snapshot {
            report.record("replication") { try health.replication() }
        }
        if postgres && (context.config.backup.type == .snapshot || context.config.backup.incremental != nil) {
            report.recordFinding("incremental") { try health.incremental() }
        }
        if let url = context.config.postgres.standbyURL {
            standby(url, into: &report, primaryReachable: postgres)
        }
        report.record("client tools") { try health.tools() }
        let repository = report.record("repository") { try health.repository() }
        if repository { report.record("exclusive create") { try health.exclusiveCreate() } }
        let key = report.record("key") { try health.key() }
        report.recordFinding("policy") { try policyFinding(repositoryReachable: repository) }
        if postgres {
            archiving(into: &report, repositoryAndKey: repository && key)
        } else {
            report.skip("archiving", "PostgreSQL is not reachable")
        }
        return report
    }

    /// The standby snapshots may be read from: its replication connection, then what a snapshot checks.
    func standby(_ url: String, into report: inout CheckReport, primaryReachable: Bool) {
        guard primaryReachable else { return report.skip("standby", "PostgreSQL is not reachable") }
        let health = HealthCheck(context: context)
        let replication = report.record("standby replication") {
            "replication connection works (timeline \(try health.replicationTimeline(url))): "
                + "snapshots from the standby stream BASE_BACKUP over it"
        }
        guard replication else { return report.skip("standby", "no replication connection to the standby") }
        report.recordFinding("standby") { try health.standby(url: url) }
    }

    /// archive_mode; when archiving is wanted, archive_command; and when archive_command runs lifeboat (or
    /// snapshots need it), a forced WAL switch that must reach the repository.
    func archiving(into report: inout CheckReport, repositoryAndKey: Bool) {
        let archive = ArchiveCheck(context: context, configPath: request.configPath, binaryPath: request.binaryPath)
        var needed = false
        report.recordFinding("archiving") {
            let (finding, wanted) = try archive.mode()
            needed = wanted
            return finding
        }
        guard needed else { return }
        var invokesLifeboat = false
        report.recordFinding("archive_command") {
            let (finding, invokes) = try archive.command()
            invokesLifeboat = invokes
            return finding
        }
        if !invokesLifeboat && context.config.backup.type != .snapshot {
            report.skip("wal switch", "archive_command does not run lifeboat and backup.type is logical")
        } else if repositoryAndKey {
            report.recordFinding("wal switch") {
                let (repository, keyring) = try request.unlockRepository()
                return try archive.switchAndWait(repository: repository, keyring: keyring)
            }
        } else {
            report.skip("wal switch", "the repository or key check failed")
        }
    }

    /// The policy file parses (else exit 2 naming the field) and, when it asks for immutability, whether the
    /// repository can provide it.
    func policyFinding(repositoryReachable: Bool) throws -> ArchiveFinding {
        guard let policy = try request.policies.policyIfConfigured() else {
            return ArchiveFinding(
                .warning, "no policy configured: prune cannot run; status uses a 15m RPO objective",
                hint: "add 'policy: policies/production.yml' (or your own, see policies/README.md) "
                    + "to the configuration")
        }
        var detail = "'\(policy.name)' (\(policy.sourcePath))"
        if let rpo = policy.objectives.rpo { detail += ", RPO objective \(DurationText.format(rpo))" }
        guard let immutability = policy.immutability, repositoryReachable else { return ArchiveFinding(.ok, detail) }
        let repository = try HealthCheck(context: context).openRepository(immutability: immutability)
        if let problem = repository.immutabilityProblem {
            return ArchiveFinding(
                .warning, detail + "; immutability is not in effect: \(problem)",
                hint: "use an S3 bucket created with Object Lock enabled, or remove 'immutability' "
                    + "from the policy")
        }
        let lock = "\(immutability.mode.rawValue), \(immutability.days) days"
        return ArchiveFinding(.ok, detail + "; uploads are locked (\(lock))")
    }
}
