// DeltaForm: the two ways an incremental snapshot stores a relation file's changed blocks (docs/format.md §6.5),
// told apart by the entry name's prefix. Which one a backup uses follows from its method; an entry with the other
// prefix (or any prefix in a full snapshot) is an ordinary file.
import Catalog

public enum DeltaForm: Sendable, Equatable, CaseIterable {
    /// `INCREMENTAL.<name>`, written by PostgreSQL 17+ itself (method `wal-summary`).
    case incremental
    /// `LBDELTA.<name>`, written by lifeboat from the server's full stream (method `page-lsn`).
    case lbdelta

    public init(method: IncrementalMethod) {
        switch method {
        case .walSummary: self = .incremental
        case .pageLSN: self = .lbdelta
        }
    }

    public var prefix: String {
        switch self {
        case .incremental: return "INCREMENTAL."
        case .lbdelta: return "LBDELTA."
        }
    }
}

/// Block geometry shared by both forms.
public enum BlockGeometry {
    /// PostgreSQL's block size (BLCKSZ), the only one §6.5 defines deltas for.
    public static let blockSize = 8192
    /// Blocks in one relation segment file of 1 GiB (RELSEG_SIZE with the default build). A delta claiming a
    /// longer file is corrupt; the bound also keeps a hostile header from sizing a file or bitmap at will.
    public static let maxBlocksPerFile = 131_072
}
