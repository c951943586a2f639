// PostgresConnector: how engines open PostgreSQL sessions. Engines that connect by themselves (checks,
// restore planning, drill checks, heartbeats) ask this instead of constructing PGConnection, so a test can
// connect them to a scripted server — or to none, to see what an unreachable server does to them.

public struct PostgresConnector: Sendable {
    private let open: @Sendable (ConnectionInfo, String) throws -> any PostgresSession

    /// `open` receives the connection and the application name to report (libpq's fallback_application_name).
    public init(
        _ open: @escaping @Sendable (_ info: ConnectionInfo, _ applicationName: String) throws -> any PostgresSession
    ) {
        self.open = open
    }

    /// Opens a session; throws PGError.connectionFailed (or what the test connector throws) when it cannot.
    public func connect(_ info: ConnectionInfo, applicationName: String = "lifeboat") throws -> any PostgresSession {
        try open(info, applicationName)
    }

    /// Real connections through libpq.
    public static let libpq = PostgresConnector { info, applicationName in
        try PGConnection(info, applicationName: applicationName)
    }
}
