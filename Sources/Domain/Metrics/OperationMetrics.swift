// OperationMetrics: the samples one Lifeboat run contributes (docs/metrics.md lists them): when the operation
// last ran and last succeeded, how long it took, how many bytes it moved, its exit status, a failure counter
// and a counter of runs refused by a lock, plus what the operation measured (RPO exposure, drill RPO/RTO and
// verdict, prune results).
import Foundation

public struct OperationMetrics: Sendable {
    public var cluster: String
    public var operation: String
    public var finishedAt: Date
    public var seconds: Double
    public var exitStatus: Int32
    public var bytes: Int64?
    /// Operation-specific samples (already labelled).
    public var extra: [MetricSample]

    public init(
        cluster: String, operation: String, finishedAt: Date, seconds: Double, exitStatus: Int32,
        bytes: Int64? = nil, extra: [MetricSample] = []
    ) {
        self.cluster = cluster
        self.operation = operation
        self.finishedAt = finishedAt
        self.seconds = seconds
        self.exitStatus = exitStatus
        self.bytes = bytes
        self.extra = extra
    }

    /// The exit status of a run refused because another run holds the repository or cluster lock.
    public static let lockedExitStatus: Int32 = 5

    var labels: [(String, String)] { [("cluster", cluster), ("operation", operation)] }

    /// This run's samples merged into `existing` (the file's current content): same-identity samples are
    /// replaced, the counters are carried on and incremented, everything else is kept.
    public func merged(into existing: [MetricSample]) -> [MetricSample] {
        var byIdentity = Dictionary(existing.map { ($0.identity, $0) }, uniquingKeysWith: { $1 })
        func counted(_ name: String, _ increment: Bool) -> Double {
            (byIdentity[name + PrometheusText.labelText(labels)]?.value ?? 0) + (increment ? 1 : 0)
        }
        let failuresName = "lifeboat_operation_failures_total"
        let lockedName = "lifeboat_operation_locked_total"
        let failures = counted(failuresName, exitStatus != 0)
        let locked = counted(lockedName, exitStatus == Self.lockedExitStatus)
        var own = [
            MetricSample(
                "lifeboat_operation_last_run_timestamp_seconds", labels, finishedAt.timeIntervalSince1970,
                help: "When the operation last finished (Unix time), successfully or not."),
            MetricSample(
                "lifeboat_operation_last_duration_seconds", labels, seconds,
                help: "Duration of the operation's last run."),
            MetricSample(
                "lifeboat_operation_last_exit_status", labels, Double(exitStatus),
                help:
                    "Exit status of the last run: 0 ok, 1 failed, 2 usage, 3 objective not met, 4 integrity, 5 locked."),
            MetricSample(
                failuresName, labels, failures, kind: .counter, help: "Runs of the operation that did not exit 0."),
            MetricSample(
                lockedName, labels, locked, kind: .counter,
                help: "Runs of the operation refused because another run held the repository or cluster lock (exit 5)."),
        ]
        if exitStatus == 0 {
            own.append(
                MetricSample(
                    "lifeboat_operation_last_success_timestamp_seconds", labels, finishedAt.timeIntervalSince1970,
                    help: "When the operation last finished with exit status 0 (Unix time)."))
        }
        if let bytes {
            own.append(
                MetricSample(
                    "lifeboat_operation_last_bytes", labels, Double(bytes),
                    help: "Bytes stored or read by the operation's last run."))
        }
        for sample in own + extra { byIdentity[sample.identity] = sample }
        return Array(byIdentity.values)
    }
}
