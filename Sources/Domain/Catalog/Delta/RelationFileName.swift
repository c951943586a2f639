// RelationFileName: which entries of a base backup are relation files (docs/format.md §6.5) — the only files an
// incremental snapshot may store as a delta. A relation file lives in `global/`, `base/<dboid>/` or, inside a
// tablespace's archive, `PG_<major>_<catversion>/<dboid>/`, and is named `<relfilenode>`, optionally `_fsm`,
// `_vm` or `_init`, optionally `.<segment>`. Everything else (including `INCREMENTAL.*` and `LBDELTA.*`
// entries, temporary `t<n>_…` files and anything unexpected) is not, and stays whole.
import Foundation

public struct RelationFileName: Sendable, Equatable {
    public enum Fork: String, Sendable {
        case main = ""
        case freeSpaceMap = "fsm"
        case visibilityMap = "vm"
        case initialization = "init"
    }

    /// The entry's directory (`global`, `base/16384`, `PG_17_202406281/16384`).
    public let directory: String
    /// The file name within it (`16390_vm.2`).
    public let fileName: String
    public let fork: Fork
    /// The database's directory, whose `PG_VERSION` guards against a reused database OID; nil for `global/`.
    public var databaseDirectory: String? { directory == "global" ? nil : directory }

    /// Parses an entry name of the data directory's archive (`inTablespace` false) or of a tablespace's.
    public init?(_ path: String, inTablespace: Bool) {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if inTablespace {
            guard parts.count == 3, Self.isTablespaceVersionDirectory(parts[0]), Self.isDigits(parts[1]) else {
                return nil
            }
        } else if parts.count == 2 {
            guard parts[0] == "global" else { return nil }
        } else {
            guard parts.count == 3, parts[0] == "base", Self.isDigits(parts[1]) else { return nil }
        }
        guard let fork = Self.fork(of: parts[parts.count - 1]) else { return nil }
        self.directory = parts.dropLast().joined(separator: "/")
        self.fileName = parts[parts.count - 1]
        self.fork = fork
    }

    /// Whether a delta of this file could miss a change: the free space map is not WAL-logged, clearing a
    /// visibility-map bit does not change the map page's LSN, and the init fork is tiny and must be exact.
    public var mustStayWhole: Bool { fork != .main }

    /// The path of the `page-lsn` delta entry of this file.
    public var deltaPath: String { directory + "/" + Self.deltaPrefix + fileName }

    public static let deltaPrefix = "LBDELTA."
    public static let serverDeltaPrefix = "INCREMENTAL."

    /// `<digits>[_fsm|_vm|_init][.<digits>]`, the fork when it matches.
    static func fork(of name: String) -> Fork? {
        var rest = Substring(name)
        let node = rest.prefix { $0.isASCII && $0.isNumber }
        guard !node.isEmpty, node.first != "0" || node.count == 1 else { return nil }
        rest = rest.dropFirst(node.count)
        var fork = Fork.main
        if rest.hasPrefix("_") {
            let suffix = rest.dropFirst().prefix { $0 != "." }
            guard let named = Fork(rawValue: String(suffix)), named != .main else { return nil }
            fork = named
            rest = rest.dropFirst(1 + suffix.count)
        }
        if rest.hasPrefix(".") {
            rest = rest.dropFirst()
            guard isDigits(String(rest)) else { return nil }
            rest = ""
        }
        return rest.isEmpty ? fork : nil
    }

    static func isDigits(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }

    /// `PG_<major>_<catversion>`, the directory PostgreSQL creates inside every tablespace.
    static func isTablespaceVersionDirectory(_ text: String) -> Bool {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0] == "PG" && isDigits(String(parts[1])) && isDigits(String(parts[2]))
    }
}
