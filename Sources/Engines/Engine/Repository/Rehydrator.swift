// Rehydrator: makes a backup's objects readable before a restore or verify reads them. Objects in an archive
// storage class (GLACIER, DEEP_ARCHIVE) need an S3 RestoreObject and hours of waiting; a restore that simply
// failed on the first GET would waste the on-call engineer's time. This asks for every archived object at
// once, reports the expected wait (it is part of the RTO), and with `wait` polls until all are readable.
import Catalog
import Foundation
import Storage

public struct RehydrationOptions: Sendable {
    public var wait: Bool
    public var tier: RehydrationTier
    /// How long the readable copies stay (S3 RestoreObject Days).
    public var days: Int
    public var pollInterval: TimeInterval
    public init(wait: Bool, tier: RehydrationTier = .standard, days: Int = 3, pollInterval: TimeInterval = 60) {
        self.wait = wait
        self.tier = tier
        self.days = days
        self.pollInterval = pollInterval
    }
}

/// Where a backup's objects stand.
public struct RehydrationStatus: Codable, Sendable, Equatable {
    /// Keys in an archive class with no readable copy (yet).
    public var pending: [String]
    /// Their storage classes.
    public var classes: [String]
    public var requested: Bool
    public var isReady: Bool { pending.isEmpty }
}

public struct Rehydrator {
    let store: BlobStore
    let progress: ProgressReporter

    public init(store: BlobStore, progress: ProgressReporter) {
        self.store = store
        self.progress = progress
    }

    /// The keys of a backup's data objects (the manifest is always in a hot class).
    public static func keys(of manifest: BackupManifest) throws -> [ObjectKey] {
        try manifest.objects.map {
            try ObjectKey(RepositoryLayout.object(cluster: manifest.cluster, id: manifest.id, name: $0.name))
        }
    }

    /// Which objects are not readable now, without changing anything (for --dry-run plans).
    public func assess(_ keys: [ObjectKey]) throws -> RehydrationStatus {
        guard let archival = store.archival(for: .rehydration) else {
            return RehydrationStatus(pending: [], classes: [], requested: false)
        }
        var pending: [String] = []
        var classes: Set<String> = []
        for key in keys {
            let state = try archival.rehydration(of: key)
            guard !state.readable else { continue }
            pending.append(key.rawValue)
            if let storageClass = state.storageClass { classes.insert(storageClass) }
        }
        return RehydrationStatus(pending: pending, classes: classes.sorted(), requested: false)
    }

    /// Requests every archived object and, with `options.wait`, waits until all are readable. Without `wait`
    /// and with objects still archived, throws `EngineError.rehydrationPending` (nothing else was touched).
    public func prepare(_ keys: [ObjectKey], options: RehydrationOptions) throws {
        guard let archival = store.archival(for: .rehydration) else { return }
        var status = try assess(keys)
        guard !status.isReady else { return }
        for key in status.pending {
            try archival.requestRehydration(of: try ObjectKey(key), days: options.days, tier: options.tier)
        }
        let expected = Self.expectedWait(classes: status.classes, tier: options.tier)
        guard options.wait else {
            throw EngineError.rehydrationPending(
                objects: status.pending.count, classes: status.classes, tier: options.tier.rawValue, expected: expected)
        }
        progress.begin(
            "rehydrating \(status.pending.count) object(s) from \(status.classes.joined(separator: ", ")) (\(options.tier.rawValue) tier: \(expected))",
            total: Int64(status.pending.count))
        defer { progress.end() }
        while !status.isReady {
            Thread.sleep(forTimeInterval: options.pollInterval)
            let before = status.pending.count
            status.pending = try status.pending.filter { try !archival.rehydration(of: try ObjectKey($0)).readable }
            progress.advance(by: before - status.pending.count)
        }
    }

    /// AWS's documented retrieval times, as a phrase for messages and plans.
    public static func expectedWait(classes: [String], tier: RehydrationTier) -> String {
        let deep = classes.contains("DEEP_ARCHIVE")
        switch (deep, tier) {
        case (false, .expedited): return "typically 1–5 minutes"
        case (false, .standard): return "typically 3–5 hours"
        case (false, .bulk): return "typically 5–12 hours"
        case (true, .bulk): return "typically within 48 hours"
        case (true, _): return "typically within 12 hours (DEEP_ARCHIVE has no Expedited tier)"
        }
    }
}
