// PostgresSettings: how to reach the PostgreSQL server, and optionally a streaming standby of it that snapshots
// may be read from. The URLs are handed to libpq untouched; this type only knows enough about them to keep a
// password out of every description, log line and JSON output.

public struct PostgresSettings: Sendable, Equatable {
    /// A libpq connection string (URL or key/value form), exactly as written in the configuration.
    public var url: String
    /// Directory of the PostgreSQL programs (absolute); nil means look in PATH / ask pg_config.
    public var binDir: String?
    /// The operating-system user servers are started as when lifeboat runs as root.
    public var osUser: String?
    /// A streaming standby of the server at `url` (libpq connection string): `backup --from-standby` (or
    /// `backup.from_standby`) reads a snapshot's data from it; WAL still comes from the primary's archive.
    public var standbyURL: String?
    /// How far behind the primary the standby may be for a snapshot to be taken from it.
    public var standbyMaxLag: StandbyLagLimit

    public init(
        url: String, binDir: String? = nil, osUser: String? = nil, standbyURL: String? = nil,
        standbyMaxLag: StandbyLagLimit = .standard
    ) {
        self.url = url
        self.binDir = binDir
        self.osUser = osUser
        self.standbyURL = standbyURL
        self.standbyMaxLag = standbyMaxLag
    }

    /// True when `url` carries a password (user info or a `password=` keyword).
    public var urlHasPassword: Bool { SecretRedactor.containsPassword(url) }

    /// `url` with any password replaced by `***`: the only form of the URL that may be shown or logged.
    public var redactedURL: String { SecretRedactor.redact(url) }

    /// `standbyURL` with any password replaced by `***`.
    public var redactedStandbyURL: String? { standbyURL.map(SecretRedactor.redact) }
}

extension PostgresSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "PostgresSettings(url: \"\(redactedURL)\", binDir: \(binDir.map { "\"\($0)\"" } ?? "nil"), "
            + "osUser: \(osUser.map { "\"\($0)\"" } ?? "nil"), "
            + "standbyURL: \(redactedStandbyURL.map { "\"\($0)\"" } ?? "nil"), standbyMaxLag: \(standbyMaxLag))"
    }

    public var debugDescription: String { description }

    /// `dump()` and the default description of containing types go through the mirror: show the redacted URL.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "url": redactedURL, "binDir": binDir as Any, "osUser": osUser as Any,
                "standbyURL": redactedStandbyURL as Any, "standbyMaxLag": standbyMaxLag,
            ])
    }
}

extension PostgresSettings: Codable {
    enum CodingKeys: String, CodingKey {
        case url
        case binDir = "bin_dir"
        case osUser = "os_user"
        case standbyURL = "standby_url"
        case standbyMaxLag = "standby_max_lag"
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decode(String.self, forKey: .url)
        binDir = try container.decodeIfPresent(String.self, forKey: .binDir)
        osUser = try container.decodeIfPresent(String.self, forKey: .osUser)
        standbyURL = try container.decodeIfPresent(String.self, forKey: .standbyURL)
        standbyMaxLag = try container.decodeIfPresent(StandbyLagLimit.self, forKey: .standbyMaxLag) ?? .standard
    }

    /// Encodes the redacted URL: encoded configurations are for display (`--json`), never for credentials.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(redactedURL, forKey: .url)
        try container.encodeIfPresent(binDir, forKey: .binDir)
        try container.encodeIfPresent(osUser, forKey: .osUser)
        try container.encodeIfPresent(redactedStandbyURL, forKey: .standbyURL)
        try container.encode(standbyMaxLag, forKey: .standbyMaxLag)
    }
}
