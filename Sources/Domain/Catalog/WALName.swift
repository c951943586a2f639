// WALName: the names of the files PostgreSQL archives (`archive_command %p`) and asks back for
// (`restore_command %f`), parsed and validated, plus where they live in a repository (docs/format.md §8) and
// the records sealed next to them. Pure: names and bytes in, facts out; no I/O.
//
// PostgreSQL's names (src/include/access/xlog_internal.h, upper-case hex only):
//   000000010000000A000000FF            segment: timeline, log, seg (8 hex digits each)
//   000000010000000A000000FF.partial    the last, incomplete segment of a timeline, archived at promotion
//   00000002.history                    timeline history file
//   000000010000000A000000FF.00000028.backup   backup history file (segment + offset of the backup start)
import Foundation

public struct WALName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case segment, partial, history, backup
    }

    public let rawValue: String
    public let kind: Kind
    public let timeline: UInt32
    /// The "log" and "seg" parts of a segment name (0 for history files). Segment number =
    /// log × (2^32 / segment size) + seg.
    public let log: UInt32
    public let seg: UInt32

    /// The largest seg part any segment size allows: 2^32 / 1 MiB (the smallest wal_segment_size) − 1.
    public static let maximumSeg: UInt32 = 0xFFF

    /// Parses a bare file name; nil for anything else (paths, lower-case hex, timeline 0, junk suffixes).
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        switch utf8.count {
        case 24:
            guard let parts = Self.segmentParts(utf8[0..<24]) else { return nil }
            (kind, timeline, log, seg) = (.segment, parts.0, parts.1, parts.2)
        case 32 where text.hasSuffix(".partial"):
            guard let parts = Self.segmentParts(utf8[0..<24]) else { return nil }
            (kind, timeline, log, seg) = (.partial, parts.0, parts.1, parts.2)
        case 16 where text.hasSuffix(".history"):
            guard let tli = Self.hex32(utf8[0..<8]), tli != 0 else { return nil }
            (kind, timeline, log, seg) = (.history, tli, 0, 0)
        case 40 where text.hasSuffix(".backup") && utf8[24] == UInt8(ascii: "."):
            guard let parts = Self.segmentParts(utf8[0..<24]), Self.hex32(utf8[25..<33]) != nil else { return nil }
            (kind, timeline, log, seg) = (.backup, parts.0, parts.1, parts.2)
        default:
            return nil
        }
        rawValue = text
    }

    /// The WAL name of the file at `path` (its last component), as `archive_command` passes it (`%p` is
    /// relative to the data directory, e.g. `pg_wal/000000010000000000000003`). Nil when the last component is
    /// not a WAL name or the path ends in `/`.
    public init?(fileAt path: String) {
        guard !path.isEmpty, !path.hasSuffix("/"), !path.utf8.contains(0) else { return nil }
        let last = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        self.init(last)
    }

    /// True for files that start with a WAL page header (segments and partial segments).
    public var isSegmentFile: Bool { kind == .segment || kind == .partial }

    /// The timeline as PostgreSQL writes it: 8 upper-case hex digits.
    public var timelineHex: String { Self.hex8(timeline) }

    /// The 24-digit segment name this file belongs to (nil for history files).
    public var segmentName: String? {
        kind == .history ? nil : Self.hex8(timeline) + Self.hex8(log) + Self.hex8(seg)
    }

    /// The segment number for a segment size (a power of two, 1 MiB…1 GiB); nil when `seg` does not fit it.
    public func segmentNumber(segmentSize: UInt64) -> UInt64? {
        guard kind != .history, WALSegmentHeader.isValidSegmentSize(segmentSize) else { return nil }
        let perLog = (UInt64(1) << 32) / segmentSize
        guard UInt64(seg) < perLog else { return nil }
        return UInt64(log) * perLog + UInt64(seg)
    }

    public var description: String { rawValue }
    public static func < (lhs: WALName, rhs: WALName) -> Bool { lhs.rawValue < rhs.rawValue }

    static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Upper-case hex only, as PostgreSQL writes (and `IsXLogFileName` accepts).
    static func hex32(_ digits: ArraySlice<UInt8>) -> UInt32? {
        guard digits.count == 8 else { return nil }
        var value: UInt32 = 0
        for byte in digits {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(nibble)
        }
        return value
    }

    private static func segmentParts(_ digits: ArraySlice<UInt8>) -> (UInt32, UInt32, UInt32)? {
        let start = digits.startIndex
        guard let tli = hex32(digits[start..<(start + 8)]), tli != 0,
            let log = hex32(digits[(start + 8)..<(start + 16)]),
            let seg = hex32(digits[(start + 16)..<(start + 24)]), seg <= maximumSeg
        else { return nil }
        return (tli, log, seg)
    }
}

/// The long page header at the start of every WAL segment (XLogLongPageHeaderData, PostgreSQL 9.3 and later):
/// xlp_magic u16 @0, xlp_info u16 @2, xlp_tli u32 @4, xlp_pageaddr u64 @8, xlp_rem_len u32 @16, padding,
/// xlp_sysid u64 @24, xlp_seg_size u32 @32, xlp_xlog_blcksz u32 @36, in the server's byte order.
public struct WALSegmentHeader: Sendable, Equatable {
    public static let size = 40
    static let longHeaderFlag: UInt16 = 0x0002

    public let magic: UInt16
    public let timeline: UInt32
    public let pageAddress: UInt64
    public let systemIdentifier: UInt64
    public let segmentSize: UInt32
    public let blockSize: UInt32

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Parses the first 40 bytes of a segment. The byte order is the one (little, else big) under which the
    /// header is self-consistent: the long-header flag is set and the segment and block sizes are valid.
    public init(_ bytes: [UInt8]) throws {
        guard bytes.count >= Self.size else {
            throw Problem(description: "it is \(bytes.count) bytes long, shorter than a WAL page header")
        }
        for littleEndian in [true, false] {
            let read = Reader(bytes: bytes, littleEndian: littleEndian)
            let info = UInt16(read.unsigned(2, 2))
            let segmentSize = UInt32(read.unsigned(32, 4))
            let blockSize = UInt32(read.unsigned(36, 4))
            guard info & Self.longHeaderFlag != 0, Self.isValidSegmentSize(UInt64(segmentSize)),
                blockSize >= 1024, blockSize <= 65536, blockSize.nonzeroBitCount == 1
            else { continue }
            magic = UInt16(read.unsigned(0, 2))
            timeline = UInt32(read.unsigned(4, 4))
            pageAddress = read.unsigned(8, 8)
            systemIdentifier = read.unsigned(24, 8)
            self.segmentSize = segmentSize
            self.blockSize = blockSize
            return
        }
        throw Problem(description: "its first page has no valid long WAL page header")
    }

    /// wal_segment_size: a power of two from 1 MiB to 1 GiB.
    public static func isValidSegmentSize(_ size: UInt64) -> Bool {
        size >= 1 << 20 && size <= 1 << 30 && size.nonzeroBitCount == 1
    }

    /// Checks the header against the file it came from: its size and the segment its name claims.
    public func check(name: WALName, fileSize: Int64) throws {
        guard Int64(segmentSize) == fileSize else {
            throw Problem(
                description: "it is \(fileSize) bytes long but its header declares \(segmentSize)-byte segments")
        }
        guard let number = name.segmentNumber(segmentSize: UInt64(segmentSize)) else {
            throw Problem(description: "its name does not fit \(segmentSize)-byte segments")
        }
        guard pageAddress == number * UInt64(segmentSize) else {
            throw Problem(
                description: "its header says it starts at WAL position \(WALSegmentHeader.lsn(pageAddress)), "
                    + "not at \(WALSegmentHeader.lsn(number * UInt64(segmentSize))) as its name says (renamed or damaged)"
            )
        }
    }

    /// PostgreSQL's text form of a WAL position: `X/X` (upper-case hex).
    public static func lsn(_ position: UInt64) -> String {
        String(position >> 32, radix: 16, uppercase: true) + "/"
            + String(position & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    private struct Reader {
        let bytes: [UInt8]
        let littleEndian: Bool

        func unsigned(_ offset: Int, _ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<count {
                let byte = UInt64(bytes[littleEndian ? offset + count - 1 - index : offset + index])
                value = value << 8 | byte
            }
            return value
        }
    }
}

/// The sealed record that commits an archived WAL file (`<name>.meta.lbx`): what the file was, so a re-push
/// can be compared without downloading the object and a fetch can check what it restores, and which object holds
/// it (WALObjectName.swift).
public struct WALFileRecord: Codable, Sendable, Equatable {
    /// Version 2 records name their object; version 1 records (no `object`) mean the legacy `<name>.lbx`.
    public static let currentVersion = 2
    public var formatVersion: Int
    public var cluster: String
    public var name: String
    /// Plaintext size and SHA-256 (hex) of the file as PostgreSQL handed it over.
    public var size: Int64
    public var sha256: String
    /// xlp_sysid of the segment's first page (decimal); absent for history and backup history files.
    public var systemIdentifier: String?
    public var compression: CompressionInfo
    public var archivedAt: Date
    public var tool: ToolInfo
    /// File name of the object holding this push (`<name>.<token>.lbx`, beside the record); absent in version 1.
    public var object: String?

    public init(
        cluster: String, name: String, size: Int64, sha256: String, systemIdentifier: String?,
        compression: CompressionInfo, archivedAt: Date, tool: ToolInfo, object: String? = nil
    ) {
        formatVersion = object == nil ? 1 : Self.currentVersion
        self.object = object
        self.cluster = cluster
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.systemIdentifier = systemIdentifier
        self.compression = compression
        self.archivedAt = archivedAt
        self.tool = tool
    }
}

/// The sealed record of the database system a cluster's WAL archive belongs to (`system-identifier.lbx`),
/// created exclusively by the first push of a segment.
public struct WALSystemRecord: Codable, Sendable, Equatable {
    public var formatVersion: Int
    public var cluster: String
    public var systemIdentifier: String
    public var segmentSize: Int64
    public var firstFile: String
    public var recordedAt: Date

    public init(cluster: String, systemIdentifier: String, segmentSize: Int64, firstFile: String, recordedAt: Date) {
        formatVersion = 1
        self.cluster = cluster
        self.systemIdentifier = systemIdentifier
        self.segmentSize = segmentSize
        self.firstFile = firstFile
        self.recordedAt = recordedAt
    }
}

/// Where WAL lives in a repository (docs/format.md §8).
extension RepositoryLayout {
    public static let walRecordSuffix = ".meta.lbx"

    /// `wal/<cluster>/`
    public static func walCluster(_ cluster: String) -> String { "wal/\(cluster)/" }

    /// `wal/<cluster>/<timeline, 8 hex>` for segments, partial segments and backup history files;
    /// `wal/<cluster>/history` for timeline history files.
    public static func walDirectory(cluster: String, name: WALName) -> String {
        walCluster(cluster) + (name.kind == .history ? "history" : name.timelineHex)
    }

    /// The sealed record committing a WAL file: `…/<name>.meta.lbx`, created exclusively after the object it
    /// names (`walObject(cluster:object:)`, WALObjectName.swift).
    public static func walRecord(cluster: String, name: WALName) -> String {
        walDirectory(cluster: cluster, name: name) + "/" + name.rawValue + walRecordSuffix
    }

    /// `wal/<cluster>/system-identifier.lbx`
    public static func walSystemIdentifier(cluster: String) -> String {
        walCluster(cluster) + "system-identifier" + sealedExtension
    }
}
