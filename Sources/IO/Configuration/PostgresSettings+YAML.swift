// Reading the `postgres:` section. The URL is only checked for presence: libpq parses it, and the value is
// never put into an error because it may carry a password.

extension PostgresSettings {
    static let keys = ["url", "bin_dir", "os_user"]

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
        return PostgresSettings(url: url, binDir: binDir, osUser: osUser)
    }
}
