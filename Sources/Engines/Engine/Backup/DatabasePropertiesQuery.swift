// DatabasePropertiesQuery: reads a database's settings, per-role settings, comment, owner, privileges, connection
// limit and template and allow-connections flags from the catalogs (all shared: any database of the server can
// read them). A backup reads the source's inside the dump's exported snapshot (the catalogs are read with that
// snapshot, so they match the dump); a restore reads the target's to apply and then check the backup's.
import Catalog
import PGClient

struct DatabasePropertiesQuery {
    /// The properties as recorded, and the owner they leave out (privileges exclude the owner's own).
    struct Reading: Equatable {
        var properties: DatabaseProperties
        var owner: String
    }

    static let settingsSQL = """
        SELECT s.setting FROM pg_db_role_setting r JOIN pg_database d ON d.oid = r.setdatabase,
               unnest(r.setconfig) WITH ORDINALITY AS s(setting, n)
        WHERE d.datname = $1 AND r.setrole = 0 ORDER BY s.n
        """
    static let roleSettingsSQL = """
        SELECT a.rolname, s.setting FROM pg_db_role_setting r JOIN pg_database d ON d.oid = r.setdatabase
               JOIN pg_roles a ON a.oid = r.setrole, unnest(r.setconfig) WITH ORDINALITY AS s(setting, n)
        WHERE d.datname = $1 ORDER BY a.rolname, s.n
        """
    static let databaseSQL = """
        SELECT shobj_description(d.oid, 'pg_database'), pg_get_userbyid(d.datdba), d.datconnlimit::text,
               d.datistemplate::text, d.datallowconn::text
        FROM pg_database d WHERE d.datname = $1
        """
    /// A database without an explicit ACL has the defaults (acldefault), which are privileges too: a restore
    /// into a database whose PUBLIC CONNECT was revoked must give it back when the source had the default.
    static let privilegesSQL = """
        SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END, a.privilege_type,
               a.is_grantable::text
        FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
        WHERE d.datname = $1 AND a.grantee <> d.datdba ORDER BY 1 NULLS FIRST, 2
        """

    let session: any PostgresSession

    func read(database: String) throws -> Reading {
        let settings = try session.query(Self.settingsSQL, [database]).rows.compactMap { $0[0] }
        var roleSettings: [DatabaseProperties.RoleSettings] = []
        for row in try session.query(Self.roleSettingsSQL, [database]).rows {
            guard let role = row[0], let setting = row[1] else { continue }
            if roleSettings.last?.role == role {
                roleSettings[roleSettings.count - 1].settings.append(setting)
            } else {
                roleSettings.append(DatabaseProperties.RoleSettings(role: role, settings: [setting]))
            }
        }
        guard let described = try session.query(Self.databaseSQL, [database]).rows.first, described.count == 5 else {
            throw EngineError.databaseNotFound(name: database, available: [])
        }
        let privileges = try session.query(Self.privilegesSQL, [database]).rows.map { row in
            DatabaseProperties.Privilege(grantee: row[0], privilege: row[1] ?? "", grantable: row[2] == "true")
        }
        let access = DatabaseProperties.Access(
            connectionLimit: Int(described[2] ?? "") ?? -1, isTemplate: described[3] == "true",
            allowConnections: described[4] != "false")
        let properties = DatabaseProperties(
            settings: settings, roleSettings: roleSettings, comment: described[0],
            privileges: privileges, access: access)
        return Reading(properties: properties, owner: described[1] ?? "")
    }
}
