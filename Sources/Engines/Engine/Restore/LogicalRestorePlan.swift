// LogicalRestorePlan: a logical restore decided once. It carries the backup that `latest` resolved to, so
// `LogicalRestore.run` restores exactly the backup the operator was shown, even if a newer one is committed
// meanwhile (a rehydration wait can take hours).
import Catalog

public struct LogicalRestorePlan {
    /// What is shown and printed by `--dry-run --json`.
    public let summary: LogicalRestoreSummary
    /// The backup to restore.
    public let manifest: BackupManifest
    public let request: LogicalRestoreRequest
    /// The archived objects to make readable first (assessed when planned, performed by `run`).
    public let rehydration: BackupRehydration

    /// The steps as presented: rehydration first when objects are archived (that wait is part of the recovery
    /// time), then the summary's.
    public var steps: [String] { rehydration.planSteps + summary.steps }
}
