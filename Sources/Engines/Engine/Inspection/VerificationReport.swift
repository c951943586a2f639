// VerificationReport: what `lifeboat verify` found — every backup object's check, the WAL archive's when asked —
// and the verdict: any damaged object, damaged WAL file or WAL gap is an integrity failure (exit 4).
import Catalog
import Diagnostics

public struct VerificationReport: Sendable {
    /// The backups whose objects were read back.
    public var manifests: [BackupManifest]
    public var backups: VerifyReport
    /// With --wal: continuity and every archived file.
    public var wal: WALVerifyReport?
    /// One line per damaged object (named by its repository key), WAL gap and damaged WAL file: what whoever
    /// reads only the error output (a cron mail, a log) must learn, not just how many.
    public var damage: [String]
    /// The error the run ends with when anything is damaged; nil when all is intact.
    public var failure: (any LifeboatError)?
    /// `verify --all` also reads what `list` authenticates (the WAL archive's system record and the records
    /// ending each recoverable window); set when that read failed. It is raised after the report is shown.
    public var listingFailure: (any Error)?

    public var verdict: Verdict { failure == nil ? .passed : .integrityFailure }

    /// A gap as the report names it.
    public static func describe(_ gap: WALSegmentRange) -> String {
        let segments = "\(gap.segments) segment\(gap.segments == 1 ? "" : "s")"
        return "WAL gap on timeline \(gap.timeline): \(gap.first) … \(gap.last) (\(segments) missing)"
    }
}
