// Verification: `lifeboat verify` as one engine step. It resolves the backups asked for, makes archived objects
// readable (rehydration), reads every object back (Verifier), checks the WAL archive when asked
// (WALInventoryReader) and decides the verdict; the command only shows the report.
import Catalog
import Foundation

public struct Verification {
    let context: EngineContext
    let catalog: BackupCatalog

    public init(context: EngineContext, catalog: BackupCatalog) {
        self.context = context
        self.catalog = catalog
    }

    public func run(_ request: VerificationRequest) throws -> VerificationReport {
        let (manifests, chainChecks) = try backups(request)
        try rehydrate(manifests, options: request.rehydration)
        var checks = Verifier(
            repository: catalog.repository, keyring: catalog.keyring, cluster: context.config.cluster,
            progress: context.progress
        ).verify(manifests)
        checks.checks += chainChecks
        let wal =
            request.wal
            ? try walReader.verify(manifests: try catalog.manifests(), progress: context.progress) : nil
        var report = VerificationReport(manifests: manifests, backups: checks, wal: wal, damage: [])
        if request.all && !request.wal {
            // `list` also authenticates the WAL archive's system record and the records ending each recoverable
            // window; --all must not pass a repository that list refuses (--wal reads all of them anyway).
            do { _ = try walReader.inventory(manifests: manifests) } catch { report.listingFailure = error }
        }
        judge(&report)
        return report
    }

    /// The backups asked for — every one with --all, none with --wal alone, else the one named (default latest)
    /// and, for an incremental, every backup of its chain, oldest first — and one check per incremental: its
    /// chain authenticated link by link (docs/format.md §6.5).
    func backups(_ request: VerificationRequest) throws -> ([BackupManifest], [ObjectCheck]) {
        guard request.verifiesBackups else { return ([], []) }
        if request.all {
            let inventory = try ChainInventory.read(catalog)
            let checks = inventory.manifests.filter(\.isIncremental).map {
                Self.chainCheck($0, broken: inventory.state(of: $0.id).broken)
            }
            return (inventory.manifests, checks)
        }
        let manifest = try catalog.resolve(request.reference ?? "latest")
        guard manifest.isIncremental else { return ([manifest], []) }
        do {
            let chain = try BackupChain.resolve(manifest, catalog: catalog)
            return (chain.links.reversed(), [Self.chainCheck(manifest, broken: nil)])
        } catch let error as EngineError {
            // The backup's own objects are still read: the report says what else is wrong with it.
            return ([manifest], [Self.chainCheck(manifest, broken: ProblemText.of(error))])
        }
    }

    /// The chain of an incremental as one check named "chain" (docs/json.md).
    static func chainCheck(_ manifest: BackupManifest, broken: String?) -> ObjectCheck {
        ObjectCheck(
            backup: manifest.id.rawValue, object: chainCheckName, ok: broken == nil,
            storedBytes: 0, entries: 0, problem: broken)
    }

    public static let chainCheckName = "chain"

    /// Archived objects are requested all at once before any is read (one wait, not one per backup).
    func rehydrate(_ manifests: [BackupManifest], options: RehydrationOptions) throws {
        try Rehydrator(store: catalog.repository.store, progress: context.progress)
            .prepare(try manifests.flatMap(Rehydrator.keys(of:)), options: options)
    }

    var walReader: WALInventoryReader {
        WALInventoryReader(context: context, repository: catalog.repository, keyring: catalog.keyring)
    }

    /// Names every damaged object by its key, every gap and damaged WAL file, and picks the failure: a WAL
    /// problem names the gaps, damaged backup objects alone are counted.
    func judge(_ report: inout VerificationReport) {
        let cluster = context.config.cluster
        let backupFailures = report.backups.failures
        report.damage = backupFailures.map { failure in
            if failure.object == Self.chainCheckName {
                return "broken chain: incremental \(failure.backup): \(failure.problem ?? "")"
            }
            let key = BackupID(failure.backup).map {
                RepositoryLayout.object(cluster: cluster, id: $0, name: failure.object)
            }
            return "damaged: \(key ?? "\(failure.backup) \(failure.object)"): \(failure.problem ?? "")"
        }
        if let wal = report.wal {
            report.damage += wal.gaps.map(VerificationReport.describe)
            report.damage += wal.failures.map { "damaged: wal \($0.name): \($0.problem ?? "")" }
            if !wal.ok {
                let damaged = backupFailures.count + wal.failures.count
                report.failure = WALVerificationFailure(damaged: damaged, gaps: wal.gaps)
                return
            }
        }
        if !report.damage.isEmpty {
            let chains = backupFailures.filter { $0.object == Self.chainCheckName }.count
            report.failure = VerificationFailure(count: report.damage.count - chains, brokenChains: chains)
        }
    }

    /// `verify --immutability`: objects whose Object Lock ends before the policy stops keeping them. No
    /// immutability in the policy is a choice, not a failure; a policy that asks for it and cannot have it is
    /// an objective not met (exit 3).
    public func immutability(_ policies: PolicySource) throws -> (report: ImmutabilityReport, verdict: Verdict) {
        let policy = try policies.required(by: "lifeboat verify --immutability")
        let report = try ImmutabilityAudit(catalog: catalog, context: context, policy: policy).run(now: context.now())
        return (report, report.ok || policy.immutability == nil ? .passed : .objectiveNotMet)
    }
}
