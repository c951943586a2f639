// CompressionSettings: how backup data is compressed before it is encrypted.

public struct CompressionSettings: Sendable, Equatable, Codable {
    public enum Algorithm: String, Sendable, Equatable, Codable, CaseIterable {
        case zstd
        case none
    }

    public static let defaultLevel = 3
    /// The zstd levels offered; 20-22 ("ultra") need far more memory for little gain on database dumps.
    public static let zstdLevels = 1...19
    /// WAL objects may also use zstd's fast levels (negative): a segment is written once and read only by a
    /// restore, and at high archiving rates the CPU of a push is the bound (wal.compression_level). Level 0 is
    /// not offered: zstd reads it as its default level.
    public static let walFastZstdLevels = -7...(-1)

    public static func isWALZstdLevel(_ level: Int) -> Bool {
        zstdLevels.contains(level) || walFastZstdLevels.contains(level)
    }

    public var algorithm: Algorithm
    /// The zstd level (1...19, default 3); 0 when `algorithm` is `.none`.
    public var level: Int

    public init(algorithm: Algorithm = .zstd, level: Int? = nil) {
        self.algorithm = algorithm
        self.level = algorithm == .none ? 0 : (level ?? Self.defaultLevel)
    }
}
