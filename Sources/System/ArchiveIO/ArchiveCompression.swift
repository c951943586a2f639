// ArchiveCompression: the compression Lifeboat applies when it writes an archive.
// Reading auto-detects compression, so only writers choose.

public enum ArchiveCompression: String, Sendable, Codable {
    case zstd
    case none
}
