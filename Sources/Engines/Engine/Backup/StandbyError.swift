// StandbyError: why a snapshot is not taken from the standby, each refusal before anything is written and with what
// to do. A standby that is not one (not in recovery, another database system) is a configuration mistake (exit 2);
// the rest are states of the servers that the next run may not meet (exit 1).
import Diagnostics

public enum StandbyError: LifeboatError {
    case notConfigured
    case notInRecovery(standby: String)
    case otherSystem(standby: String, standbySystem: String, primarySystem: String)
    case tooFarBehind(standby: String, lag: String, limit: String)
    case fullPageWritesOff
    case cannotSwitchWAL(role: String)
    case cannotCheckpoint(role: String)
    case checkpointNotReplayed(standby: String, lsn: String, seconds: Double)

    public var exitStatus: ExitStatus {
        switch self {
        case .notConfigured, .notInRecovery, .otherSystem: return .usage
        case .tooFarBehind, .fullPageWritesOff, .cannotSwitchWAL, .cannotCheckpoint, .checkpointNotReplayed:
            return .failure
        }
    }

    public var message: String {
        switch self {
        case .notConfigured:
            return "a snapshot from a standby needs postgres.standby_url, which the configuration does not set"
        case .notInRecovery(let standby):
            return "the server at '\(standby)' (postgres.standby_url) is not in recovery: it is not a standby"
        case .otherSystem(let standby, let standbySystem, let primarySystem):
            return
                "the standby at '\(standby)' belongs to database system \(standbySystem), "
                + "the primary in postgres.url to \(primarySystem)"
        case .tooFarBehind(let standby, let lag, let limit):
            return
                "the standby at '\(standby)' is too far behind the primary: \(lag) "
                + "(postgres.standby_max_lag is \(limit)); nothing was written"
        case .fullPageWritesOff:
            return
                "the primary has full_page_writes = off; a snapshot taken on a standby is consistent only when the "
                + "primary writes full pages"
        case .cannotSwitchWAL(let role):
            return
                "role '\(role)' may not run pg_switch_wal() on the primary; a snapshot from a standby needs it so that "
                + "the segment holding the standby's stop point is archived"
        case .cannotCheckpoint(let role):
            return
                "role '\(role)' may not run CHECKPOINT on the primary; a snapshot from a standby needs it so that the "
                + "standby's backup starts at a fresh restartpoint"
        case .checkpointNotReplayed(let standby, let lsn, let seconds):
            return
                "the standby at '\(standby)' did not replay the primary's checkpoint (up to \(lsn)) within "
                + "\(Int(seconds)) s; nothing was written"
        }
    }

    public var hint: String? {
        switch self {
        case .notConfigured:
            return
                "add 'standby_url: postgresql://USER@STANDBY:PORT/postgres' under 'postgres:', or take the snapshot "
                + "from the primary (without --from-standby and backup.from_standby)"
        case .notInRecovery:
            return
                "point postgres.standby_url at a streaming standby of the primary in postgres.url (a promoted standby "
                + "is a primary of its own), or take the snapshot from the primary"
        case .otherSystem:
            return "point postgres.standby_url at a standby of the server in postgres.url"
        case .tooFarBehind:
            return
                "wait until it catches up (pg_stat_replication on the primary shows its replay lag; a paused replay "
                + "resumes with SELECT pg_wal_replay_resume()), raise postgres.standby_max_lag, or take the snapshot "
                + "from the primary"
        case .fullPageWritesOff:
            return "on the primary: ALTER SYSTEM SET full_page_writes = on; SELECT pg_reload_conf();"
        case .cannotSwitchWAL(let role):
            return "on the primary: GRANT EXECUTE ON FUNCTION pg_switch_wal() TO \(role); or use a superuser"
        case .cannotCheckpoint(let role):
            return "on the primary: GRANT pg_checkpoint TO \(role); or use a superuser"
        case .checkpointNotReplayed:
            return
                "check the standby's replication (pg_stat_replication on the primary, the standby's log; a paused "
                + "replay resumes with SELECT pg_wal_replay_resume()), then run the backup again"
        }
    }
}
