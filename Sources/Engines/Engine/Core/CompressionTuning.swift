// CompressionTuning: how the backup engines drive zstd, shared by logical backups and snapshots so neither
// reaches into the other for it.
import Foundation

enum CompressionTuning {
    /// zstd worker threads. 0 compresses on the reading thread; sealing, hashing and writing still run on the
    /// pipeline's background thread and pg_dump in its own process, so the work overlaps without zstd's
    /// multi-threaded buffers (about 30 MiB). LIFEBOAT_ZSTD_THREADS overrides, for measurements.
    static let threads = Int(ProcessInfo.processInfo.environment["LIFEBOAT_ZSTD_THREADS"] ?? "") ?? 0
}
