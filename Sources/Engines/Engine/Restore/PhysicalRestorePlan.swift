// PhysicalRestorePlan: a snapshot restore decided once. It carries the snapshot that `latest` or the recovery
// target resolved to, so `PhysicalRestore.run` restores exactly the snapshot the operator was shown, even if
// a newer one is committed meanwhile (a rehydration wait can take hours).
import Catalog

public struct PhysicalRestorePlan {
    /// What is shown and printed by `--dry-run --json`.
    public let summary: PhysicalRestoreSummary
    /// The snapshot to restore.
    public let manifest: BackupManifest
    /// Its chain, resolved and authenticated link by link: just the snapshot for a full one.
    public let chain: BackupChain
    public let request: PhysicalRestoreRequest
    /// The archived objects to make readable first (assessed when planned, performed by `run`).
    public let rehydration: BackupRehydration

    /// The steps as presented: rehydration first when objects are archived (that wait is part of the recovery
    /// time), then the summary's.
    public var steps: [String] { rehydration.planSteps + summary.steps }
}
