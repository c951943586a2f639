// BackupRehydration: the first step of every restore, a drill's included: the objects of the backup about to be
// read (of every backup of an incremental's chain) that sit in an archive storage class are made readable.
// Planning only assesses (a --dry-run changes nothing, and shows the wait, which is part of the recovery time);
// running requests them all and, with `wait`, waits until they are readable (Rehydrator).
import Catalog
import Storage

public struct BackupRehydration {
    let rehydrator: Rehydrator
    let keys: [ObjectKey]
    public let options: RehydrationOptions
    /// Where the objects stood when the restore was planned; nil when not assessed.
    public private(set) var status: RehydrationStatus?

    init(_ manifest: BackupManifest, store: BlobStore, progress: ProgressReporter, options: RehydrationOptions) throws {
        try self.init([manifest], store: store, progress: progress, options: options)
    }

    /// Every backup a restore reads: an incremental's whole chain.
    init(
        _ manifests: [BackupManifest], store: BlobStore, progress: ProgressReporter, options: RehydrationOptions
    ) throws {
        rehydrator = Rehydrator(store: store, progress: progress)
        keys = try manifests.flatMap { try Rehydrator.keys(of: $0) }
        self.options = options
    }

    /// The same step with the objects' state looked up, changing nothing (for plans).
    func assessed() throws -> BackupRehydration {
        var step = self
        step.status = try rehydrator.assess(keys)
        return step
    }

    /// Requests every archived object and, with `options.wait`, waits until all are readable; without `wait`
    /// and with objects still archived, throws `EngineError.rehydrationPending`.
    func perform() throws {
        try rehydrator.prepare(keys, options: options)
    }

    /// A first plan step when objects must be rehydrated.
    public var planSteps: [String] {
        guard let status, !status.isReady else { return [] }
        let tier = options.tier
        let classes = status.classes.joined(separator: "/")
        return [
            "rehydrate \(status.pending.count) object(s) from \(classes) (\(tier.rawValue) tier, "
                + "\(Rehydrator.expectedWait(classes: status.classes, tier: tier)))"
                + (options.wait ? "" : "; without --wait the restore stops after requesting it")
        ]
    }
}
