// Reading the `postgres:` section. The URLs are only checked for presence: libpq parses them, and their values are
// never put into an error because they may carry a password.

extension PostgresSettings {
    static let keys = ["url", "bin_dir", "os_user", "standby_url", "standby_max_lag"]

    static func read(from root: MappingReader, baseDirectory: String) throws -> PostgresSettings {
        let urlHint =
            "add 'url: postgresql://USER@HOST:PORT/DBNAME' under 'postgres:'; give the password through PGPASSWORD or ~/.pgpass"
        guard let section = try root.mapping("postgres", accepted: keys) else {
            throw root.missing(
                "postgres", hint: "add a 'postgres:' section with 'url: postgresql://USER@HOST:PORT/DBNAME'")
        }
        let url = try section.requiredString("url", showValue: false, hint: urlHint)
        let binDir = try ConfigLoader.path("bin_dir", in: section, baseDirectory: baseDirectory)
        let osUser = try section.string("os_user")
        if let osUser, !NameRules.isValidUser(osUser) {
            throw section.invalid("os_user", value: osUser, accepted: NameRules.userRule)
        }
        let standbyURL = try section.string("standby_url", showValue: false)
        return PostgresSettings(
            url: url, binDir: binDir, osUser: osUser, standbyURL: standbyURL,
            standbyMaxLag: try standbyMaxLag(in: section, standbyURL: standbyURL))
    }

    /// `standby_max_lag: 5m` or `standby_max_lag: 256MiB`; only meaningful with a standby to measure.
    private static func standbyMaxLag(in section: MappingReader, standbyURL: String?) throws -> StandbyLagLimit {
        guard let text = try section.string("standby_max_lag") else { return .standard }
        guard standbyURL != nil else {
            throw section.invalid(
                "standby_max_lag", value: text, accepted: "only together with 'standby_url'",
                hint: "add 'standby_url:' naming the standby, or remove 'standby_max_lag'")
        }
        guard let limit = StandbyLagLimit.parse(text) else {
            throw section.invalid(
                "standby_max_lag", value: text, accepted: StandbyLagLimit.acceptedForms,
                hint: "a bare number could be seconds or bytes: add 's' or 'MiB'")
        }
        return limit
    }
}
