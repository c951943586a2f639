// DatabaseProperties: what belongs to a database but not to its dump's restorable objects — the settings of
// `ALTER DATABASE … SET`, the per-role settings of `ALTER ROLE … IN DATABASE … SET`, the database's comment, its
// privileges, and its connection limit, template and allow-connections flags. pg_restore applies these only when it creates the database itself (--create), which a restore
// into a differently named target cannot use, so a logical backup records them (read in the dump's own
// snapshot) and a restore applies them to the target under its own name, then checks them (docs/format.md §6.1).
public struct DatabaseProperties: Codable, Sendable, Equatable {
    /// `name=value` entries exactly as pg_db_role_setting.setconfig holds them, in their stored order.
    public var settings: [String]
    /// Settings of roles in this database, by role name.
    public var roleSettings: [RoleSettings]
    /// The database's comment; nil when it has none.
    public var comment: String?
    /// The privileges of every grantee but the database's owner (whose rights come with ownership), the
    /// defaults included when the database has no explicit ACL.
    public var privileges: [Privilege]
    /// CONNECTION LIMIT, IS_TEMPLATE and ALLOW_CONNECTIONS; nil in backups made before lifeboat recorded them.
    public var access: Access?

    public init(
        settings: [String], roleSettings: [RoleSettings], comment: String?, privileges: [Privilege],
        access: Access? = nil
    ) {
        self.settings = settings
        self.roleSettings = roleSettings
        self.comment = comment
        self.privileges = privileges
        self.access = access
    }

    /// pg_database's datconnlimit, datistemplate and datallowconn.
    public struct Access: Codable, Sendable, Equatable, CustomStringConvertible {
        /// -1: no limit.
        public var connectionLimit: Int
        public var isTemplate: Bool
        public var allowConnections: Bool
        public init(connectionLimit: Int, isTemplate: Bool, allowConnections: Bool) {
            self.connectionLimit = connectionLimit
            self.isTemplate = isTemplate
            self.allowConnections = allowConnections
        }

        public var description: String {
            "connection limit \(connectionLimit), is_template \(isTemplate), allow_connections \(allowConnections)"
        }
    }

    public struct RoleSettings: Codable, Sendable, Equatable {
        public var role: String
        public var settings: [String]
        public init(role: String, settings: [String]) {
            self.role = role
            self.settings = settings
        }
    }

    public struct Privilege: Codable, Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
        /// A role name; nil for PUBLIC (every role), so a role that happens to be named "PUBLIC" stays distinct.
        public var grantee: String?
        /// `CONNECT`, `CREATE` or `TEMPORARY`, as aclexplode names them.
        public var privilege: String
        public var grantable: Bool
        public init(grantee: String?, privilege: String, grantable: Bool) {
            self.grantee = grantee
            self.privilege = privilege
            self.grantable = grantable
        }

        public static func < (lhs: Privilege, rhs: Privilege) -> Bool {
            (lhs.grantee ?? "", lhs.privilege, lhs.grantable ? 1 : 0)
                < (rhs.grantee ?? "", rhs.privilege, rhs.grantable ? 1 : 0)
        }

        public var description: String {
            "\(privilege) to \(grantee.map { "'\($0)'" } ?? "PUBLIC")\(grantable ? " with grant option" : "")"
        }
    }
}
