// TablespacePlan: where a snapshot restore puts each user tablespace, and the `tablespace_map` file that tells
// PostgreSQL (at recovery start) to link pg_tblspc/<oid> there. Pure: the state of the file system comes in
// as a function, so the rules are unit-tested.
//   - `--tablespace-map KEY=DIR` names a tablespace by OID or by its location on the source; DIR is absolute.
//   - Without a mapping a tablespace goes back to its source location, but only when that directory is absent
//     or empty: a non-empty one may be the source server's live tablespace, so even --clean does not empty it.
//   - A mapped directory that is not empty is refused unless --clean (which empties it first).
import Diagnostics

/// One `--tablespace-map OID_OR_OLD_PATH=NEW_DIR` option. A `=` inside the old path is written `\=`.
public struct TablespaceMapOption: Sendable, Equatable {
    public let key: String
    public let directory: String

    public init(key: String, directory: String) {
        self.key = key
        self.directory = directory
    }

    public init(parsing text: String) throws {
        var key = ""
        var escaped = false
        var rest: Substring?
        for (offset, character) in zip(text.indices, text) {
            if escaped {
                key.append(character)
                escaped = false
                continue
            }
            if character == "\\" {
                escaped = true
                continue
            }
            if character == "=" {
                rest = text[text.index(after: offset)...]
                break
            }
            key.append(character)
        }
        guard let rest, !key.isEmpty, !rest.isEmpty else { throw TablespacePlanError.badOption(text) }
        self.init(key: key, directory: String(rest))
        guard directory.hasPrefix("/") else { throw TablespacePlanError.badOption(text) }
    }
}

/// Where one tablespace of the snapshot goes.
public struct TablespaceTarget: Codable, Sendable, Equatable {
    public var oid: UInt32
    /// Its directory on the source server.
    public var location: String
    public var directory: String
    /// True when --tablespace-map chose the directory, false when it is the source location.
    public var mapped: Bool
    public var object: String

    public init(oid: UInt32, location: String, directory: String, mapped: Bool, object: String) {
        self.oid = oid
        self.location = location
        self.directory = directory
        self.mapped = mapped
        self.object = object
    }
}

public enum DirectoryState: Sendable, Equatable {
    case absent, empty, notEmpty, notDirectory
    /// It cannot be restored into, for the reason given (a symbolic link, one on the way that others can change).
    case unusable(String)
}

public enum TablespacePlan {
    /// The target of every tablespace, or an error naming the tablespace and what to do.
    public static func targets(
        _ tablespaces: [TablespaceRecord], options: [TablespaceMapOption], dataDirectory: String, clean: Bool,
        state: (String) -> DirectoryState
    ) throws -> [TablespaceTarget] {
        for option in options
        where !tablespaces.contains(where: { String($0.oid) == option.key || $0.location == option.key }) {
            throw TablespacePlanError.unknownTablespace(
                key: option.key, known: tablespaces.map { "\($0.oid) (\($0.location))" })
        }
        var targets: [TablespaceTarget] = []
        for space in tablespaces {
            let chosen = options.filter { String(space.oid) == $0.key || space.location == $0.key }
            guard chosen.count <= 1 else { throw TablespacePlanError.mappedTwice(oid: space.oid) }
            let directory = normalized(chosen.first?.directory ?? space.location)
            guard directory.hasPrefix("/"), !directory.contains(where: { $0 == "\n" || $0 == "\r" }),
                !directory.utf8.contains(0)
            else {
                throw TablespacePlanError.unusableDirectory(
                    oid: space.oid, path: directory, detail: "it must be an absolute path on one line")
            }
            let data = normalized(dataDirectory)
            if directory == data || directory.hasPrefix(data + "/") || data.hasPrefix(directory + "/") {
                throw TablespacePlanError.unusableDirectory(
                    oid: space.oid, path: directory, detail: "it overlaps the data directory '\(data)'")
            }
            if let other = targets.first(where: {
                $0.directory == directory || directory.hasPrefix($0.directory + "/")
                    || $0.directory.hasPrefix(directory + "/")
            }) {
                throw TablespacePlanError.unusableDirectory(
                    oid: space.oid, path: directory, detail: "tablespace \(other.oid) goes there too")
            }
            switch state(directory) {
            case .absent, .empty: break
            case .notDirectory:
                throw TablespacePlanError.unusableDirectory(
                    oid: space.oid, path: directory, detail: "it is not a directory")
            case .unusable(let detail):
                throw TablespacePlanError.unusableDirectory(oid: space.oid, path: directory, detail: detail)
            case .notEmpty:
                if chosen.isEmpty { throw TablespacePlanError.locationNotEmpty(oid: space.oid, path: directory) }
                if !clean { throw TablespacePlanError.targetNotEmpty(oid: space.oid, path: directory) }
            }
            targets.append(
                TablespaceTarget(
                    oid: space.oid, location: space.location, directory: directory,
                    mapped: !chosen.isEmpty, object: space.object))
        }
        return targets
    }

    /// `tablespace_map` as PostgreSQL writes it into a tar-format base backup: one `<oid> <path>` line per
    /// tablespace, a backslash before every backslash, CR or LF in the path (read_tablespace_map undoes it).
    public static func mapText(_ targets: [TablespaceTarget]) -> String {
        targets.map { target in
            var escaped = ""
            for character in target.directory {
                if character == "\\" || character == "\n" || character == "\r" { escaped.append("\\") }
                escaped.append(character)
            }
            return "\(target.oid) \(escaped)\n"
        }.joined()
    }

    /// Without a trailing slash, `//` or `/./` (not resolving links: the directory may not exist yet).
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        return "/" + parts.joined(separator: "/")
    }
}

public enum TablespacePlanError: LifeboatError, Equatable {
    case badOption(String)
    case unknownTablespace(key: String, known: [String])
    case mappedTwice(oid: UInt32)
    case locationNotEmpty(oid: UInt32, path: String)
    case targetNotEmpty(oid: UInt32, path: String)
    case unusableDirectory(oid: UInt32, path: String, detail: String)

    public var exitStatus: ExitStatus { .usage }

    public var message: String {
        switch self {
        case .badOption(let text):
            return "--tablespace-map '\(text)' is not OID_OR_OLD_PATH=NEW_DIR with an absolute NEW_DIR"
        case .unknownTablespace(let key, let known):
            return "--tablespace-map names '\(key)', which is not a tablespace of this snapshot"
                + (known.isEmpty ? " (it has none)" : " (it has \(known.joined(separator: ", ")))")
        case .mappedTwice(let oid): return "tablespace \(oid) is given twice in --tablespace-map"
        case .locationNotEmpty(let oid, let path):
            return "tablespace \(oid) would be restored to its original location '\(path)', which is not empty"
        case .targetNotEmpty(let oid, let path): return "the directory '\(path)' for tablespace \(oid) is not empty"
        case .unusableDirectory(let oid, let path, let detail):
            return "cannot restore tablespace \(oid) into '\(path)': \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .badOption:
            return "for example --tablespace-map 16385=/srv/restore/ts1 or --tablespace-map /old/ts1=/srv/restore/ts1"
        case .unknownTablespace: return "'lifeboat show ID' lists the snapshot's tablespaces"
        case .mappedTwice: return "give one --tablespace-map per tablespace"
        case .locationNotEmpty(let oid, _):
            return
                "pass --tablespace-map \(oid)=NEW_DIR with an empty or new directory (the original may belong to a running server)"
        case .targetNotEmpty: return "choose an empty or new directory, or pass --clean to delete its contents first"
        case .unusableDirectory: return "choose another directory with --tablespace-map OID=NEW_DIR"
        }
    }
}
