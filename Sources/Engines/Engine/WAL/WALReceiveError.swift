// WALReceiveError: what stops `wal receive` for good (everything else is retried after a reconnect), each with
// what to do.
import Diagnostics

public enum WALReceiveError: LifeboatError {
    case alreadyRunning(cluster: String, lock: String)
    case spoolUnusable(path: String, detail: String)
    case streamGap(expected: String, received: String)
    case notPhysicalSlot(slot: String, type: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .alreadyRunning: return .locked
        case .notPhysicalSlot: return .usage
        default: return .failure
        }
    }

    public var message: String {
        switch self {
        case .alreadyRunning(let cluster, let lock):
            return "another 'wal receive' of cluster '\(cluster)' runs on this host (it holds '\(lock)')"
        case .spoolUnusable(let path, let detail):
            return "cannot use the receiver's segment spool '\(path)': \(detail)"
        case .streamGap(let expected, let received):
            return "the server sent WAL from \(received) while \(expected) was expected"
        case .notPhysicalSlot(let slot, let type):
            return "replication slot '\(slot)' is a \(type) slot, not a physical one"
        }
    }

    public var hint: String? {
        switch self {
        case .alreadyRunning:
            return
                "one receiver per cluster and host is enough; stop the other one (systemctl stop lifeboat-wal-receive)"
        case .spoolUnusable:
            return
                "it must be a directory owned by this user with mode 0700; remove it, or set TMPDIR to a private directory"
        case .streamGap:
            return "the receiver reconnects and starts again where the archive ends; report this if it repeats"
        case .notPhysicalSlot:
            return "set 'wal: { slot: NAME }' in lifeboat.yml to a physical slot name of its own"
        }
    }
}
