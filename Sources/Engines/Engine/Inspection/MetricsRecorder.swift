// MetricsRecorder: what this run reports to `--metrics-file` (docs/metrics.md). The command layer names the
// operation and cluster; commands add what their engines measured; `Lifeboat.main` writes the file once the exit
// status is known. A metrics file that cannot be written is a warning on stderr, never a different exit status:
// monitoring must not break backups. It lives in Engine so the executable needs no metrics module of its own.
import Foundation
import Metrics

public final class MetricsRecorder: @unchecked Sendable {
    // Written by the command's thread only, read once at exit; guarded by `lock` anyway (signals end runs too).
    public static let shared = MetricsRecorder()
    private let lock = NSLock()
    private let started = Date()
    private var path: String?
    private var cluster = ""
    private var operation = ""
    private var bytes: Int64?
    private var extra: [MetricSample] = []

    public func configure(path: String?, cluster: String, command: String) {
        lock.lock()
        defer { lock.unlock() }
        self.path = path
        self.cluster = cluster
        operation = command.replacingOccurrences(of: " ", with: "_")
    }

    public func record(bytes: Int64) {
        lock.lock()
        defer { lock.unlock() }
        self.bytes = bytes
    }

    /// Adds a sample labelled with the cluster (and `labels`).
    public func gauge(_ name: String, _ value: Double, labels: [(String, String)] = [], help: String) {
        lock.lock()
        defer { lock.unlock() }
        extra.append(MetricSample(name, [("cluster", cluster)] + labels, value, help: help))
    }

    /// True when this run writes a metrics file: measurements that cost something are taken only then.
    public var isEnabled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return path != nil
    }

    public var clusterName: String {
        lock.lock()
        defer { lock.unlock() }
        return cluster
    }

    public func finish(status: Int32) {
        lock.lock()
        let path = self.path
        let metrics = OperationMetrics(
            cluster: cluster, operation: operation, finishedAt: Date(), seconds: Date().timeIntervalSince(started),
            exitStatus: status, bytes: bytes, extra: extra)
        lock.unlock()
        guard let path else { return }
        do {
            try MetricsFileWriter.update(path: path, with: metrics)
        } catch {
            FileHandle.standardError.write(Data("warning: metrics file '\(path)' not written: \(error)\n".utf8))
        }
    }
}
