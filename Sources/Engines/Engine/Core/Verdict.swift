// Verdict: how an engine judges a run that completed (verify, check, status, drills, reports, wal get). The
// command layer turns it into the process exit status in exactly one place (ExitCodes in the executable), so an
// engine decides "objective not met" or "damaged" and never picks a number.
import Diagnostics

public enum Verdict: Equatable, Sendable {
    /// Everything checked out (exit 0).
    case passed
    /// The run completed, but an objective or compliance rule is not met (exit 3).
    case objectiveNotMet
    /// The operation could not do its job: nothing recoverable, a drill that could not run, a WAL file that is
    /// not archived (exit 1).
    case failed
    /// Damaged, truncated or tampered data, or a wrong key (exit 4).
    case integrityFailure
    /// A check failed with an error, and the run takes that error's own status (`lifeboat check` exits with
    /// the status of its first failing check).
    case error(ExitStatus)

    public var isPassed: Bool { self == .passed }
}
