// WALVerificationFailure: `verify --wal` found a gap or a damaged WAL file (exit 4); the message names the missing
// segments.
import Catalog
import Diagnostics

public struct WALVerificationFailure: LifeboatError {
    public let damaged: Int
    public let gaps: [WALSegmentRange]

    public var exitStatus: ExitStatus { .integrity }
    public var message: String {
        var parts: [String] = []
        if damaged > 0 { parts.append("\(damaged) object(s) failed verification") }
        if !gaps.isEmpty {
            let ranges = gaps.map { gap in
                let range = gap.first == gap.last ? gap.first : "\(gap.first) … \(gap.last)"
                return range + " (\(gap.segments) segment(s) missing)"
            }
            parts.append("the WAL archive has \(gaps.count) gap(s): " + ranges.joined(separator: ", "))
        }
        return parts.joined(separator: "; ")
    }
    public var hint: String? {
        "point-in-time recovery cannot pass a gap or a damaged WAL file: take a new snapshot now so the window "
            + "restarts after it, check archive_command and the server log (pg_stat_archiver), and investigate the "
            + "repository storage"
    }
}
