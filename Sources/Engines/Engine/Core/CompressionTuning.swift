// CompressionTuning: how the backup engines drive zstd, shared by logical backups, snapshots and the WAL archive
// so none reaches into another for it.
import ArchiveIO
import Configuration
import Foundation

enum CompressionTuning {
    /// zstd worker threads of logical backups. 0 compresses on the reading thread; sealing, hashing and writing
    /// still run on the pipeline's background thread and pg_dump in its own process, so the work overlaps without
    /// zstd's multi-threaded buffers. LIFEBOAT_ZSTD_THREADS overrides, for measurements.
    static let threads = Int(ProcessInfo.processInfo.environment["LIFEBOAT_ZSTD_THREADS"] ?? "") ?? 0

    /// The threads a snapshot uses: `backup.threads`, else one per online core.
    static func snapshotThreads(_ settings: BackupSettings) -> Int {
        settings.threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// zstd workers of each snapshot archive: none with one thread (zstd runs on the receiving thread, as before
    /// `backup.threads` existed), else one per thread, so every core compresses while the receiving thread only
    /// moves bytes from the connection into zstd and the pipeline's thread seals, hashes and stores.
    static func snapshotWorkers(_ settings: BackupSettings) -> Int {
        let threads = snapshotThreads(settings)
        return threads > 1 ? threads : 0
    }

    /// The archive filter for the configured algorithm: zstd unless compression is off.
    static func filter(_ settings: CompressionSettings) -> ArchiveCompression {
        settings.algorithm.rawValue == "none" ? .none : .zstd
    }
}
