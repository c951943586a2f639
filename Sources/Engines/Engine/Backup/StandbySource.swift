// StandbySource: the checks a snapshot from a standby passes before anything is written, and what `lifeboat check`
// reports about the standby. The snapshot's data is read from the standby (postgres.standby_url) while its WAL comes
// from the primary's archive (postgres.url), so the two must be the same database system, the standby must still
// be replaying (a promoted standby writes WAL of its own, which the primary's archive lacks), the primary must write
// full pages (PostgreSQL's rule for backups taken during recovery), the role on the primary must be able to run a
// checkpoint (a standby's backup starts at its last restartpoint, which can only follow a checkpoint of the
// primary: without a fresh one the start may lie in WAL archived long ago, or never into this repository) and to
// switch WAL segments (the segment holding the standby's stop point is archived only once the primary leaves it),
// and the standby must not be further behind than postgres.standby_max_lag.
import Catalog
import Configuration
import Foundation
import PGClient

struct StandbySource {
    /// What the checks found.
    struct Facts {
        var systemIdentifier: String
        var replayed: LSN
        var lag: StandbyLag
    }

    let primary: any PostgresSession
    let standby: any PostgresSession
    /// The standby's URL without its password, for messages.
    let standbyName: String
    let limit: StandbyLagLimit

    static let primarySQL = """
        SELECT pg_current_wal_lsn()::text, current_setting('full_page_writes'),
               has_function_privilege('pg_switch_wal()', 'execute')::text, current_user::text,
               (SELECT system_identifier::text FROM pg_control_system()),
               pg_has_role('pg_checkpoint', 'USAGE')::text
        """
    static let standbySQL = """
        SELECT pg_is_in_recovery()::text, (SELECT system_identifier::text FROM pg_control_system()),
               pg_last_wal_replay_lsn()::text,
               extract(epoch FROM now() - pg_last_xact_replay_timestamp())::text
        """

    /// Every check a snapshot needs; throws the first that fails.
    func check() throws -> Facts {
        let (primaryLSN, primarySystem) = try checkPrimary()
        let facts = try measure(primaryLSN: primaryLSN, primarySystem: primarySystem)
        if facts.lag.exceeds(limit) {
            throw StandbyError.tooFarBehind(standby: standbyName, lag: facts.lag.description, limit: "\(limit)")
        }
        return facts
    }

    /// full_page_writes, CHECKPOINT and pg_switch_wal() on the primary; its current WAL position and system
    /// identifier.
    func checkPrimary() throws -> (LSN, String) {
        let row = try Self.row(primary.query(Self.primarySQL), columns: 6, what: "the primary")
        guard row[1] == "on" else { throw StandbyError.fullPageWritesOff }
        guard row[5] == "true" else { throw StandbyError.cannotCheckpoint(role: row[3]) }
        guard row[2] == "true" else { throw StandbyError.cannotSwitchWAL(role: row[3]) }
        guard let lsn = LSN(row[0]) else { throw SnapshotError.unexpectedOutput("pg_current_wal_lsn '\(row[0])'") }
        return (lsn, row[4])
    }

    /// Whether the standby is a standby of this primary, and how far behind it is (no limit applied).
    func measure(primaryLSN: LSN, primarySystem: String) throws -> Facts {
        // Off recovery the replay functions answer NULL: the in-recovery check comes first.
        let row = try Self.row(standby.query(Self.standbySQL), columns: 4, what: "the standby", nullable: [2, 3])
        guard row[0] == "true" else { throw StandbyError.notInRecovery(standby: standbyName) }
        guard row[1] == primarySystem else {
            throw StandbyError.otherSystem(standby: standbyName, standbySystem: row[1], primarySystem: primarySystem)
        }
        guard let replayed = LSN(row[2]) else {
            throw SnapshotError.unexpectedOutput("pg_last_wal_replay_lsn '\(row[2])' on the standby")
        }
        let lag = StandbyLag(primary: primaryLSN, replayed: replayed, lastReplayAge: Double(row[3]))
        return Facts(systemIdentifier: row[1], replayed: replayed, lag: lag)
    }

    /// A checkpoint on the primary, then a wait (at most `seconds`) until the standby replayed it: BASE_BACKUP's
    /// own checkpoint request on the standby then makes a restartpoint there, and the snapshot starts at it.
    func checkpointPrimary(waitingAtMost seconds: Double) throws -> LSN {
        try primary.execute("CHECKPOINT")
        let text = try primary.query("SELECT pg_current_wal_lsn()::text").rows.first?[0] ?? nil
        guard let target = text.flatMap(LSN.init) else {
            throw SnapshotError.unexpectedOutput("pg_current_wal_lsn '\(text ?? "NULL")' on the primary")
        }
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let replayed = try standby.query("SELECT pg_last_wal_replay_lsn()::text").rows.first?[0] ?? nil
            if let replayed = replayed.flatMap(LSN.init), replayed >= target { return target }
            guard Date() < deadline else {
                throw StandbyError.checkpointNotReplayed(
                    standby: standbyName, lsn: target.description, seconds: seconds)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The one row of `result` with `columns` values; a NULL is "" where `nullable`, an error elsewhere.
    static func row(_ result: PGResultSet, columns: Int, what: String, nullable: Set<Int> = []) throws -> [String] {
        guard let row = result.rows.first, row.count == columns else {
            throw SnapshotError.unexpectedOutput("\(what) answered no row")
        }
        return try row.enumerated().map { index, value in
            guard let value else {
                guard nullable.contains(index) else {
                    throw SnapshotError.unexpectedOutput("\(what) answered NULL in column \(index + 1)")
                }
                return ""
            }
            return value
        }
    }
}
