// Errors that stop a drill before its checks could decide (exit 1); failed checks are not errors (exit 3).
import Diagnostics

public enum DrillError: LifeboatError {
    case scratch(String)
    case noBackup(String)
    case unsupported(String)
    case source(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .unsupported: return .usage
        case .scratch, .noBackup, .source: return .failure
        }
    }

    public var message: String {
        switch self {
        case .scratch(let detail): return "the drill's scratch server failed: \(detail)"
        case .noBackup(let detail): return "no backup to drill: \(detail)"
        case .unsupported(let detail): return detail
        case .source(let detail): return "cannot write the heartbeat into the source: \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .scratch:
            return
                "check that the PostgreSQL server binaries (initdb, pg_ctl) are installed and /tmp is writable; when run as root, postgres.os_user must exist"
        case .noBackup:
            return "take a backup of that kind first ('lifeboat backup'), or change restore.backup in the drill file"
        case .unsupported: return nil
        case .source: return "check postgres.url; or set 'heartbeat: false' in the drill file"
        }
    }
}
