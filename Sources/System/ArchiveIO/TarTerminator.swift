// TarTerminator: watches the last 1024 bytes of a tar stream passing through, so a stream that ends without
// the end-of-archive marker (two 512-byte zero blocks) can be completed. PostgreSQL 15+ servers send every
// BASE_BACKUP archive terminated (pg_basebackup only adds the marker for older servers:
// bbstreamer_tar_terminator, MINIMUM_VERSION_FOR_TERMINATED_TARFILE); checking costs nothing and makes every
// stored stream a valid tar whatever the server did.
public struct TarTerminator: Sendable {
    public static let markerSize = 1024
    private var tail: [UInt8] = []
    public private(set) var bytes: Int64 = 0

    public init() {}

    public mutating func observe(_ chunk: UnsafeRawBufferPointer) {
        bytes += Int64(chunk.count)
        if chunk.count >= Self.markerSize {
            tail = Array(chunk.suffix(Self.markerSize))
        } else {
            tail.append(contentsOf: chunk)
            if tail.count > Self.markerSize { tail.removeFirst(tail.count - Self.markerSize) }
        }
    }

    /// The bytes to append so the stream ends with an end-of-archive marker: none when it does already.
    /// A stream's length is a multiple of 512 (whole blocks); the marker follows the last entry's padded data.
    public var missing: [UInt8] {
        let terminated = bytes >= Int64(Self.markerSize) && bytes % 512 == 0 && tail.allSatisfy { $0 == 0 }
        if terminated { return [] }
        let padding = Int((512 - bytes % 512) % 512)
        return [UInt8](repeating: 0, count: padding + Self.markerSize)
    }
}
