// IncrementalPlanner: decides whether a snapshot is full or incremental, and on which parent (docs/format.md
// §6.5). The parent is the newest committed snapshot of the cluster that has a server manifest and the same system
// identifier and timeline; its chain is resolved and authenticated again before anything builds on it. Whenever no
// parent is usable the snapshot is full and the reason is said: a cron job asking for an incremental still gets a
// backup.
import Catalog
import Configuration
import Foundation

/// Whether a snapshot may be incremental.
public enum IncrementalMode: Sendable, Equatable {
    /// `backup.incremental` decides (no section: always full).
    case configured
    /// `--incremental`: incremental when a parent is usable (within `backup.incremental`'s limits or defaults).
    case incremental
    /// `--full`.
    case full
}

/// The parent an incremental builds on, authenticated.
struct IncrementalBase {
    let parent: BackupManifest
    let parentManifestSha256: String
    /// Full first, …, the parent.
    let chain: [BackupID]
    /// The parent's start: blocks not stored are unchanged since.
    let since: LSN
    /// The parent's object holding its server manifest.
    let serverManifest: String

    func record(method: IncrementalMethod) -> IncrementalRecord {
        IncrementalRecord(
            parent: parent.id, parentManifestSha256: parentManifestSha256, chain: chain, method: method,
            sinceLsn: since.description)
    }
}

/// The decision: a base to build on, or a full snapshot (with the reason when an incremental was wanted).
struct IncrementalDecision {
    var base: IncrementalBase?
    var fullReason: String?

    static func full(_ reason: String?) -> IncrementalDecision { IncrementalDecision(base: nil, fullReason: reason) }
}

struct IncrementalPlanner {
    let catalog: BackupCatalog
    let settings: IncrementalSettings?

    /// `pageLSNOnly`: the server cannot send an incremental from WAL summaries, so the parent must be one whose
    /// server manifest lists real files (a full or a page-lsn incremental): a wal-summary incremental's lists the
    /// server's `INCREMENTAL.*` entries, whose lengths are not the files'.
    func decide(
        _ mode: IncrementalMode, systemIdentifier: String, timeline: UInt32, now: Date, pageLSNOnly: Bool
    ) -> IncrementalDecision {
        let limits: IncrementalSettings
        switch (mode, settings) {
        case (.full, _), (.configured, nil): return .full(nil)
        case (.incremental, nil): limits = IncrementalSettings()
        case (_, let configured?): limits = configured
        }
        do {
            return try decide(
                limits: limits, systemIdentifier: systemIdentifier, timeline: timeline, now: now,
                pageLSNOnly: pageLSNOnly)
        } catch let error as LifeboatError {
            return .full("the newest snapshot cannot be a parent: \(error.message)")
        } catch {
            return .full("the newest snapshot cannot be a parent: \(error)")
        }
    }

    private func decide(
        limits: IncrementalSettings, systemIdentifier: String, timeline: UInt32, now: Date, pageLSNOnly: Bool
    ) throws -> IncrementalDecision {
        guard
            let parent = try newestCandidate(
                systemIdentifier: systemIdentifier, timeline: timeline, pageLSNOnly: pageLSNOnly)
        else {
            return .full("no earlier snapshot of this cluster, system and timeline has a server manifest to build on")
        }
        let chain: BackupChain
        do {
            chain = try BackupChain.resolve(parent, catalog: catalog)
        } catch let error as LifeboatError {
            return .full("the chain of snapshot \(parent.id) does not verify: \(error.message)")
        }
        if let reason = Self.limitReason(chain: chain, limits: limits, now: now) { return .full(reason) }
        guard let since = LSN(parent.server.startLsn), let serverManifest = parent.snapshot?.serverManifest else {
            return .full("snapshot \(parent.id) records no start position")
        }
        let sealed = try catalog.sealedManifest(parent.id)
        return IncrementalDecision(
            base: IncrementalBase(
                parent: sealed.manifest, parentManifestSha256: sealed.sha256,
                chain: (parent.incremental?.chain ?? []) + [parent.id], since: since, serverManifest: serverManifest),
            fullReason: nil)
    }

    /// The newest snapshot with a server manifest (by `started_at`: BackupCatalog.newest); nil when there is none
    /// or it belongs to another history.
    private func newestCandidate(
        systemIdentifier: String, timeline: UInt32, pageLSNOnly: Bool
    ) throws -> BackupManifest? {
        let newest = try catalog.newest { manifest in
            guard manifest.kind == .snapshot, let snapshot = manifest.snapshot, snapshot.serverManifest != nil
            else { return false }
            return !pageLSNOnly || snapshot.incremental?.method != .walSummary
        }
        guard let newest else { return nil }
        return Self.sameHistory(newest, systemIdentifier: systemIdentifier, timeline: timeline) ? newest : nil
    }

    static func sameHistory(_ manifest: BackupManifest, systemIdentifier: String, timeline: UInt32) -> Bool {
        manifest.server.systemIdentifier == systemIdentifier && manifest.snapshot?.timeline == Int(timeline)
    }

    /// Why the chain may not grow: too many incrementals already, or its full snapshot is too old.
    static func limitReason(chain: BackupChain, limits: IncrementalSettings, now: Date) -> String? {
        let incrementals = chain.length - 1
        if incrementals >= limits.maxChain {
            return "the chain of \(chain.newest.id) already has \(incrementals) incremental(s) "
                + "(backup.incremental.max_chain \(limits.maxChain))"
        }
        let age = now.timeIntervalSince(chain.full.startedAt)
        if age >= limits.fullEvery {
            return "the chain's full snapshot \(chain.full.id) is \(DurationText.format(age)) old "
                + "(backup.incremental.full_every \(DurationText.format(limits.fullEvery)))"
        }
        return nil
    }
}
