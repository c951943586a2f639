// SnapshotSource: which server a snapshot reads its data from. By default the primary (postgres.url); with
// `backup --from-standby` or `backup.from_standby: true` the standby in postgres.standby_url, after StandbySource's
// checks passed. WAL always comes from the primary's archive, so the primary's session stays the one that archive
// questions (archive_mode, archive_command, pg_switch_wal) go to; a configured standby_url alone changes nothing.
import Configuration
import Foundation
import PGClient

final class SnapshotSource {
    /// Where BASE_BACKUP runs.
    let info: ConnectionInfo
    /// An SQL session on that server: role, version, settings of the data's server.
    let session: any PostgresSession
    /// Set when the data comes from a standby: what its checks found.
    let standby: StandbySource.Facts?
    private let ownsSession: Bool

    private init(info: ConnectionInfo, session: any PostgresSession, standby: StandbySource.Facts?, owns: Bool) {
        self.info = info
        self.session = session
        self.standby = standby
        self.ownsSession = owns
    }

    var isStandby: Bool { standby != nil }

    func close() { if ownsSession { session.close() } }

    /// The primary itself, or the configured standby once every check passed and it replayed a fresh checkpoint
    /// of the primary (StandbyError otherwise); `checkpointWaitSeconds` bounds that wait. `checkServer` checks the
    /// data's server (role, version) before anything is asked of the primary.
    static func open(
        context: EngineContext, primary: any PostgresSession, fromStandby: Bool, checkpointWaitSeconds: Double,
        checkServer: (any PostgresSession) throws -> Void
    ) throws -> SnapshotSource {
        let postgres = context.config.postgres
        guard fromStandby else {
            try checkServer(primary)
            return SnapshotSource(
                info: try ConnectionInfo(postgres.url), session: primary, standby: nil, owns: false)
        }
        guard let url = postgres.standbyURL else { throw StandbyError.notConfigured }
        let info = try ConnectionInfo(url)
        let session = try context.postgres.connect(info)
        do {
            try checkServer(session)
            let standby = StandbySource(
                primary: primary, standby: session, standbyName: info.description, limit: postgres.standbyMaxLag)
            let facts = try standby.check()
            let checkpoint = try standby.checkpointPrimary(waitingAtMost: checkpointWaitSeconds)
            context.logger.info(
                "snapshot from the standby",
                metadata: [
                    "standby": "\(info)", "replayed": "\(facts.replayed)", "lag": "\(facts.lag.description)",
                    "primary checkpoint replayed up to": "\(checkpoint)",
                ])
            return SnapshotSource(info: info, session: session, standby: facts, owns: true)
        } catch {
            session.close()
            throw error
        }
    }
}
