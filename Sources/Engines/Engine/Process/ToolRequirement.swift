// ToolRequirement: the major version a PostgreSQL tool must have to serve a server of a given major.
//
// Why the rules differ by tool: pg_dump refuses a server newer than itself, and pg_restore cannot read an
// archive written by a newer pg_dump, so client tools must be of the server's major or newer. A data
// directory only runs under the major that wrote it, and a drill's scratch cluster must be the source's
// major to be a faithful rehearsal, so server tools (initdb, pg_ctl) must match exactly.

/// What a tool's major version must be for the server it serves.
public enum ToolRequirement: Equatable, Sendable {
    /// The server's major is unknown (e.g. `check` could not connect): any version will do.
    case any
    /// Client tools: this major or newer.
    case atLeast(Int)
    /// Server tools: exactly this major.
    case exactly(Int)

    /// Server tools run a data directory (or create one for a restore into it); the rest are clients.
    static let serverTools: Set<String> = ["initdb", "pg_ctl", "postgres"]

    /// The requirement for `tool` serving a server of major `serverMajor` (nil: unknown).
    public static func forTool(_ tool: String, serverMajor: Int?) -> ToolRequirement {
        guard let serverMajor else { return .any }
        return serverTools.contains(tool) ? .exactly(serverMajor) : .atLeast(serverMajor)
    }

    /// A tool whose version could not be read is accepted: a wrapper script or an unusual build may not answer
    /// `--version`, and refusing it would break set-ups that work.
    public func accepts(_ major: Int?) -> Bool {
        guard let major else { return true }
        switch self {
        case .any: return true
        case .atLeast(let minimum): return major >= minimum
        case .exactly(let wanted): return major == wanted
        }
    }

    /// "PostgreSQL 17 or newer", "PostgreSQL 17", for messages.
    public var description: String {
        switch self {
        case .any: return "any PostgreSQL version"
        case .atLeast(let major): return "PostgreSQL \(major) or newer"
        case .exactly(let major): return "PostgreSQL \(major)"
        }
    }
}

extension ToolRequirement {
    /// The server's major this requirement was made for (nil for `.any`).
    var serverMajor: Int? {
        switch self {
        case .any: return nil
        case .atLeast(let major), .exactly(let major): return major
        }
    }
}
