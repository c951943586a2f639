// WALPartialRecord: the description of a partial segment the WAL receiver stored (docs/format.md §8.7): the
// first `size` bytes of segment `name`, as streamed, while the segment is still being written on the server. It is
// the first entry (`partial.json`) of the partial object `wal/<cluster>/partial/<segment>.lbx`, followed by the
// entry `<segment>` holding those bytes. A partial is never an archived file: it has no `.meta.lbx` record, and
// `wal get` serves it (padded with zeros to `segment_size`, as PostgreSQL expects a segment) only when the full
// segment is not archived and no later segment of its timeline is.
import Foundation

public struct WALPartialRecord: Codable, Sendable, Equatable {
    public static let currentFormat = 1
    /// The name of the first entry of a partial object.
    public static let entryName = "partial.json"

    public var formatVersion: Int
    public var cluster: String
    /// The 24-digit segment name.
    public var name: String
    /// Valid bytes from the start of the segment.
    public var size: Int64
    public var segmentSize: Int64
    /// SHA-256 (hex) of those bytes.
    public var sha256: String
    public var systemIdentifier: String?
    /// When the receiver stored it; the newest WAL it holds was written on the server at or before this time.
    public var writtenAt: Date
    public var tool: ToolInfo

    public init(
        cluster: String, name: String, size: Int64, segmentSize: Int64, sha256: String, systemIdentifier: String?,
        writtenAt: Date, tool: ToolInfo
    ) {
        formatVersion = Self.currentFormat
        self.cluster = cluster
        self.name = name
        self.size = size
        self.segmentSize = segmentSize
        self.sha256 = sha256
        self.systemIdentifier = systemIdentifier
        self.writtenAt = writtenAt
        self.tool = tool
    }

    /// The position just past its last valid byte.
    public var endPosition: UInt64? {
        guard let name = WALName(name), let number = name.segmentNumber(segmentSize: UInt64(segmentSize)) else {
            return nil
        }
        return number * UInt64(segmentSize) + UInt64(size)
    }
}

extension RepositoryLayout {
    /// `wal/<cluster>/partial/`: the partial segments of a WAL receiver, one object per segment.
    public static func walPartials(_ cluster: String) -> String { walCluster(cluster) + "partial/" }

    /// `wal/<cluster>/partial/<segment>.lbx`, replaced as the segment grows.
    public static func walPartial(cluster: String, segment: WALName) -> String {
        walPartials(cluster) + segment.rawValue + sealedExtension
    }

    /// The segment a key under `walPartials(cluster)` holds the partial of; nil for anything else.
    public static func walPartialSegment(key: String, cluster: String) -> WALName? {
        let prefix = walPartials(cluster)
        guard key.hasPrefix(prefix), key.hasSuffix(sealedExtension) else { return nil }
        let stem = String(key.dropFirst(prefix.count).dropLast(sealedExtension.count))
        guard let name = WALName(stem), name.kind == .segment else { return nil }
        return name
    }

    /// `wal/<cluster>/receiver.lbx`: the WAL receiver's state (WALReceiverState), replaced as it commits.
    public static func walReceiverState(_ cluster: String) -> String {
        walCluster(cluster) + "receiver" + sealedExtension
    }
}
