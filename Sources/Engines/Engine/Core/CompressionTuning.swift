// CompressionTuning: how the backup engines drive zstd, shared by logical backups, snapshots and the WAL archive
// so none reaches into another for it.
import ArchiveIO
import Configuration
import Foundation

enum CompressionTuning {
    /// zstd worker threads. 0 compresses on the reading thread; sealing, hashing and writing still run on the
    /// pipeline's background thread and pg_dump in its own process, so the work overlaps without zstd's
    /// multi-threaded buffers (about 30 MiB). LIFEBOAT_ZSTD_THREADS overrides, for measurements.
    static let threads = Int(ProcessInfo.processInfo.environment["LIFEBOAT_ZSTD_THREADS"] ?? "") ?? 0

    /// The archive filter for the configured algorithm: zstd unless compression is off.
    static func filter(_ settings: CompressionSettings) -> ArchiveCompression {
        settings.algorithm.rawValue == "none" ? .none : .zstd
    }
}
