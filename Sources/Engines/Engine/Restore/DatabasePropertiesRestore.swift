// DatabasePropertiesRestore: gives a restored database the settings, per-role settings, comment and privileges
// its backup recorded, under the target's own name, in one transaction (all or nothing), then checks that the
// target holds exactly them. What is set is what the backup recorded, not what the target had: existing
// settings of the database (and of roles in it) are reset first, privileges of other grantees revoked.
// Ownership is not restored, as pg_restore without --create does not: the target keeps its owner, so grants to
// that owner are left out (its rights come with ownership), and the source owner's own rights are not granted.
// Roles missing on the target are skipped and named; with --no-owner privileges are left alone entirely.
import Catalog
import Diagnostics
import PGClient

struct DatabasePropertiesRestore {
    /// The privilege keywords a database has; anything else in a manifest is refused, never pasted into SQL.
    static let databasePrivileges: Set<String> = ["CONNECT", "CREATE", "TEMPORARY"]

    /// What the target must hold afterwards, and what was left out and why.
    struct Outcome: Equatable {
        var expected: DatabaseProperties
        var checksPrivileges: Bool
        var skipped: [String]
    }

    let recorded: DatabaseProperties
    /// The target database's name (not the source's: the backup's settings go to the restored database).
    let database: String
    let restorePrivileges: Bool

    /// The statements that make the target's current state (`current`, owned by `current.owner`) the recorded
    /// one, given the roles that exist on the target.
    func statements(
        current: DatabasePropertiesQuery.Reading, roles: Set<String>,
        session: any PostgresSession
    ) throws -> (sql: [String], outcome: Outcome) {
        let target = try session.quoteIdentifier(database)
        let identifier = { (text: String) in try session.quoteIdentifier(text) }
        let literal = { (text: String) in try session.quoteLiteral(text) }
        var sql: [String] = []
        var skipped: [String] = []
        if !current.properties.settings.isEmpty { sql.append("ALTER DATABASE \(target) RESET ALL") }
        for entry in recorded.settings {
            let clause = try SettingAssignment(parsing: entry).clause(identifier: identifier, literal: literal)
            sql.append("ALTER DATABASE \(target) \(clause)")
        }
        for existing in current.properties.roleSettings {
            sql.append("ALTER ROLE \(try identifier(existing.role)) IN DATABASE \(target) RESET ALL")
        }
        var roleSettings: [DatabaseProperties.RoleSettings] = []
        for entry in recorded.roleSettings {
            guard roles.contains(entry.role) else {
                skipped.append("settings of role '\(entry.role)' (no such role on the target)")
                continue
            }
            roleSettings.append(entry)
            for setting in entry.settings {
                let clause = try SettingAssignment(parsing: setting).clause(identifier: identifier, literal: literal)
                sql.append("ALTER ROLE \(try identifier(entry.role)) IN DATABASE \(target) \(clause)")
            }
        }
        sql.append("COMMENT ON DATABASE \(target) IS \(try recorded.comment.map(literal) ?? "NULL")")
        var privileges: [DatabaseProperties.Privilege] = []
        if restorePrivileges {
            let (grants, granted, left) = try privilegeStatements(
                current: current, roles: roles, target: target,
                identifier: identifier)
            sql += grants
            privileges = granted
            skipped += left
        }
        let expected = DatabaseProperties(
            settings: recorded.settings, roleSettings: roleSettings,
            comment: recorded.comment, privileges: privileges)
        return (sql, Outcome(expected: expected, checksPrivileges: restorePrivileges, skipped: skipped))
    }

    /// Revokes what other grantees hold on the target, then grants the recorded privileges.
    private func privilegeStatements(
        current: DatabasePropertiesQuery.Reading, roles: Set<String>, target: String,
        identifier: (String) throws -> String
    )
        throws -> (sql: [String], granted: [DatabaseProperties.Privilege], skipped: [String])
    {
        func grantee(_ name: String?) throws -> String { try name.map(identifier) ?? "PUBLIC" }
        var sql: [String] = []
        var granted: [DatabaseProperties.Privilege] = []
        var skipped: [String] = []
        var revoked: Set<String?> = []
        for privilege in current.properties.privileges where revoked.insert(privilege.grantee).inserted {
            sql.append("REVOKE ALL ON DATABASE \(target) FROM \(try grantee(privilege.grantee)) CASCADE")
        }
        for privilege in recorded.privileges {
            guard Self.databasePrivileges.contains(privilege.privilege) else {
                throw EngineError.databaseSettingsFailed(
                    database: database, detail: "the backup records an unknown privilege '\(privilege.privilege)'")
            }
            if let role = privilege.grantee {
                if role == current.owner { continue }  // the owner holds every privilege already
                guard roles.contains(role) else {
                    skipped.append("\(privilege) (no such role on the target)")
                    continue
                }
            }
            let option = privilege.grantable ? " WITH GRANT OPTION" : ""
            let to = try grantee(privilege.grantee)
            sql.append("GRANT \(privilege.privilege) ON DATABASE \(target) TO \(to)\(option)")
            granted.append(privilege)
        }
        return (sql, granted, skipped)
    }

    /// Applies the recorded properties in one transaction.
    func apply(_ session: any PostgresSession) throws -> Outcome {
        let current = try DatabasePropertiesQuery(session: session).read(database: database)
        let roles = Set(try session.query("SELECT rolname FROM pg_roles").rows.compactMap { $0[0] })
        let (sql, outcome) = try statements(current: current, roles: roles, session: session)
        do {
            try session.execute("BEGIN")
            for statement in sql { try session.execute(statement) }
            // Every statement sent, none committed: a run dying here leaves the target's settings as they were.
            try Failpoint.hit("restore.settings.commit.before")
            try session.execute("COMMIT")
        } catch let error as PGError {
            try? session.execute("ROLLBACK")
            throw EngineError.databaseSettingsFailed(database: database, detail: error.message)
        } catch {
            try? session.execute("ROLLBACK")
            throw error
        }
        return outcome
    }

    /// Reads the target back and names every difference from what `apply` set.
    func check(_ session: any PostgresSession, expected outcome: Outcome) throws {
        let actual = try DatabasePropertiesQuery(session: session).read(database: database).properties
        let differences = Self.differences(
            expected: outcome.expected, actual: actual,
            checkPrivileges: outcome.checksPrivileges)
        guard differences.isEmpty else {
            throw EngineError.databaseSettingsMismatch(database: database, differences: differences)
        }
    }

    /// Settings are compared as sets (their order carries no meaning: a name appears once), privileges too.
    static func differences(
        expected: DatabaseProperties, actual: DatabaseProperties,
        checkPrivileges: Bool
    ) -> [String] {
        var differences: [String] = []
        func list(_ values: [String]) -> String { "[" + values.sorted().joined(separator: ", ") + "]" }
        if expected.settings.sorted() != actual.settings.sorted() {
            differences.append("settings are \(list(actual.settings)), the backup has \(list(expected.settings))")
        }
        let expectedRoles = Dictionary(
            expected.roleSettings.map { ($0.role, $0.settings.sorted()) },
            uniquingKeysWith: +)
        let actualRoles = Dictionary(actual.roleSettings.map { ($0.role, $0.settings.sorted()) }, uniquingKeysWith: +)
        for role in Set(expectedRoles.keys).union(actualRoles.keys).sorted()
        where expectedRoles[role] != actualRoles[role] {
            differences.append(
                "settings of role '\(role)' are \(list(actualRoles[role] ?? [])), "
                    + "the backup has \(list(expectedRoles[role] ?? []))")
        }
        if expected.comment != actual.comment {
            differences.append("the comment differs from the backup's")
        }
        if checkPrivileges && Set(expected.privileges) != Set(actual.privileges) {
            let shown = { (set: [DatabaseProperties.Privilege]) in
                set.sorted().map(\.description).joined(separator: ", ")
            }
            differences.append(
                "privileges are [\(shown(actual.privileges))], "
                    + "the backup has [\(shown(expected.privileges))]")
        }
        return differences
    }
}
