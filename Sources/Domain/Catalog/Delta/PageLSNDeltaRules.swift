// PageLSNDeltaRules: which files of a base backup stream the `page-lsn` method stores as a delta and which whole
// (docs/format.md §6.5). A relation file becomes a delta when its size is a whole number of blocks, the parent's
// server manifest lists it, it is a main fork, and its database directory's PG_VERSION is the parent's (same size
// and modification time). The tar stream is read once and PostgreSQL sends a directory's files in no particular
// order, so PG_VERSION may come after files already written as deltas: a changed PG_VERSION then means the
// database was dropped and its OID reused, and the whole snapshot must be taken again as a full
// (`DeltaStreamError.databaseRecreated`); a recreated database is rare, a wrong delta would be silent.
import Foundation

public struct PageLSNDeltaRules: Sendable {
    public enum Decision: Equatable, Sendable {
        case whole
        /// Store as `LBDELTA.<name>` at `path`; blocks at or beyond `parentBlocks` are always stored.
        case delta(path: String, parentBlocks: Int64)
    }

    /// Larger files (a server built with segments over 1 GiB, PostgreSQL's default) stay whole: a restore refuses a
    /// delta longer than a default segment (Reconstruction's BlockGeometry.maxBlocksPerFile blocks of 8 KiB), a
    /// bound that keeps a damaged header from sizing a file at will.
    static let largestDelta: Int64 = 1 << 30
    let parent: ServerManifestIndex
    let manifestPrefix: String
    let inTablespace: Bool
    /// Database directories whose PG_VERSION differs from the parent's.
    private var recreated: Set<String> = []
    /// Database directories whose PG_VERSION was seen and matched.
    private var confirmed: Set<String> = []
    /// Database directories with deltas written before their PG_VERSION was seen.
    private var unconfirmedDeltas: Set<String> = []

    /// `manifestPrefix` maps an entry name to the server manifest's path: "" for the data directory's archive,
    /// `pg_tblspc/<oid>/` for a tablespace's.
    public init(parent: ServerManifestIndex, manifestPrefix: String, inTablespace: Bool) {
        self.parent = parent
        self.manifestPrefix = manifestPrefix
        self.inTablespace = inTablespace
    }

    public mutating func decide(_ header: TarHeader) throws -> Decision {
        let name = header.name
        guard header.isRegularFile else { return .whole }
        if name.hasSuffix("/PG_VERSION") {
            try observeVersion(header, directory: String(name.dropLast("/PG_VERSION".count)))
            return .whole
        }
        guard let relation = RelationFileName(name, inTablespace: inTablespace), !relation.mustStayWhole,
            header.size > 0, header.size % Int64(PageHeader.blockSize) == 0, header.size <= Self.largestDelta,
            let previous = parent[manifestPrefix + name],
            relation.deltaPath.utf8.count <= TarHeader.maximumNameLength
        else { return .whole }
        if let database = relation.databaseDirectory {
            if recreated.contains(database) { return .whole }
            if !confirmed.contains(database) { unconfirmedDeltas.insert(database) }
        }
        return .delta(path: relation.deltaPath, parentBlocks: previous.size / Int64(PageHeader.blockSize))
    }

    private mutating func observeVersion(_ header: TarHeader, directory: String) throws {
        let previous = parent[manifestPrefix + directory + "/PG_VERSION"]
        if previous == ServerManifestIndex.File(size: header.size, modified: header.modificationTime) {
            confirmed.insert(directory)
            return
        }
        recreated.insert(directory)
        if unconfirmedDeltas.contains(directory) {
            throw DeltaStreamError.databaseRecreated(manifestPrefix + directory)
        }
    }
}

public enum DeltaStreamError: Error, Equatable, CustomStringConvertible {
    /// A database directory's PG_VERSION changed since the parent, after some of its files were written as deltas.
    case databaseRecreated(String)
    case malformedStream(String)

    public var description: String {
        switch self {
        case .databaseRecreated(let directory):
            return "database directory '\(directory)' was recreated since the parent (its PG_VERSION changed)"
        case .malformedStream(let detail): return "the server's tar stream is malformed: \(detail)"
        }
    }
}
