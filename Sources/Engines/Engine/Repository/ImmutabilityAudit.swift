// ImmutabilityAudit: `lifeboat verify --immutability`. For every backup the policy keeps, each object's Object
// Lock must last at least as long as the policy will keep the backup (the planner's `retainedUntil`), and an
// indefinitely pinned backup needs a legal hold. Objects whose protection ends first are listed: an attacker
// (or a mistake) with delete rights could remove them while the policy still counts on them.
import Catalog
import Foundation
import Policy
import Retention
import Storage

public struct ImmutabilityFinding: Codable, Sendable, Equatable {
    public var backup: String
    public var key: String
    public var lockedUntil: Date?
    public var legalHold: Bool
    /// Until when the policy keeps the backup; nil = indefinitely (pinned).
    public var retainedUntil: Date?
    public var problem: String
}

public struct ImmutabilityReport: Codable, Sendable {
    public var policy: String
    public var mode: String?
    public var checkedObjects: Int
    public var findings: [ImmutabilityFinding]
    /// Set when immutability cannot be in effect at all (local repository, no Object Lock on the bucket).
    public var problem: String?
    public var ok: Bool { findings.isEmpty && problem == nil }
}

public struct ImmutabilityAudit {
    let catalog: BackupCatalog
    let context: EngineContext
    let policy: RetentionPolicy

    public init(catalog: BackupCatalog, context: EngineContext, policy: RetentionPolicy) {
        self.catalog = catalog
        self.context = context
        self.policy = policy
    }

    public func run(now: Date) throws -> ImmutabilityReport {
        var report = ImmutabilityReport(
            policy: policy.name, mode: policy.immutability?.mode.rawValue, checkedObjects: 0, findings: [])
        guard policy.immutability != nil else {
            report.problem = "policy '\(policy.name)' sets no immutability, so no Object Lock is expected"
            return report
        }
        guard let archival = catalog.repository.store.archival(for: .objectLock) else {
            report.problem = "repository '\(catalog.repository.location)' is a local directory: it has no Object Lock"
            return report
        }
        let gathered = try PlanInputReader(catalog: catalog, context: context).read()
        let plan = RetentionPlanner.plan(policy: policy, input: gathered.input, now: now)
        for decision in plan.backups where decision.action != .expire && decision.complete {
            guard let id = BackupID(decision.id) else { continue }
            let pinnedForever = gathered.input.backups.first { $0.id == decision.id }?.pinned == true
            for info in (gathered.directories.objects[id] ?? [:]).values.sorted(by: {
                $0.key.rawValue < $1.key.rawValue
            })
            where !info.key.rawValue.hasSuffix("/" + RepositoryLayout.pinRecordName) {
                report.checkedObjects += 1
                let lock = try archival.objectLock(of: info.key)
                if let problem = Self.problem(
                    lock: lock, retainedUntil: decision.retainedUntil, pinnedForever: pinnedForever, now: now)
                {
                    report.findings.append(
                        ImmutabilityFinding(
                            backup: decision.id, key: info.key.rawValue, lockedUntil: lock.retainUntil,
                            legalHold: lock.legalHold, retainedUntil: decision.retainedUntil, problem: problem))
                }
            }
        }
        return report
    }

    /// Why an object's protection falls short, or nil when it covers the retention.
    static func problem(lock: ObjectLockState, retainedUntil: Date?, pinnedForever: Bool, now: Date) -> String? {
        if lock.legalHold { return nil }
        let until = lock.retainUntil.flatMap { $0 > now ? $0 : nil }
        if pinnedForever {
            return "pinned indefinitely but has no legal hold"
                + (until.map { "; its lock ends \(CatalogCoding.formatTimestamp($0))" } ?? "")
        }
        guard let until else { return "not under Object Lock" }
        if let retainedUntil, until < retainedUntil {
            return
                "lock ends \(CatalogCoding.formatTimestamp(until)), before the policy stops keeping it (\(CatalogCoding.formatTimestamp(retainedUntil)))"
        }
        return nil
    }
}
