// MetricsFileWriter: `--metrics-file PATH`, for node_exporter's textfile collector. Every run updates its own
// samples in the one file and keeps the other operations' (backup, wal push, prune, drill, status all share
// it): under an exclusive flock on PATH.lock it reads the file, merges, writes PATH.tmp, fsyncs and renames it
// over PATH, so the collector never reads a half-written file and concurrent runs (wal push during a backup)
// never lose each other's updates. The file is 0644: it holds timings and sizes, never secrets.
import Foundation
import Metrics
#if canImport(Glibc)
import Glibc
#endif

public enum MetricsFileWriter {
    public static func update(path: String, with metrics: OperationMetrics) throws {
        let lockPath = path + ".lock"
        let lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lockFD >= 0 else { throw MetricsFileError.io("open '\(lockPath)'", errno) }
        defer { close(lockFD) }
        while flock(lockFD, LOCK_EX) != 0 {
            guard errno == EINTR else { throw MetricsFileError.io("lock '\(lockPath)'", errno) }
        }
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)).map(PrometheusText.parse) ?? []
        let text = PrometheusText.render(metrics.merged(into: existing))
        try replace(path, with: Array(text.utf8))
    }

    static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MetricsFileError.io("create '\(temporary)'", errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                close(fd)
                throw MetricsFileError.io("write '\(temporary)'", errno)
            }
            written += count
        }
        fchmod(fd, 0o644)
        fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else { throw MetricsFileError.io("rename '\(temporary)' to '\(path)'", errno) }
    }
}

public enum MetricsFileError: Error, CustomStringConvertible {
    case io(String, Int32)
    public var description: String {
        switch self {
        case let .io(operation, code): return "\(operation) failed: \(String(cString: strerror(code)))"
        }
    }
}
