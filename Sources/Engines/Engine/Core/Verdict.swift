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

extension Verdict {
    /// How bad a verdict is, for a fleet of clusters judged at once: the run reports its worst cluster. Nothing
    /// recoverable (failed) is worse than an objective missed; an error worse than that; damaged data worst.
    public var severity: Int {
        switch self {
        case .passed: return 0
        case .objectiveNotMet: return 1
        case .failed: return 2
        case .error: return 3
        case .integrityFailure: return 4
        }
    }

    /// The worst of `verdicts` (the first of equally bad ones); `passed` for none.
    public static func worst(_ verdicts: [Verdict]) -> Verdict {
        verdicts.reduce(.passed) { $1.severity > $0.severity ? $1 : $0 }
    }
}
