// MetricSample: one line of the Prometheus text exposition format (`name{label="value"} 42`), with the HELP
// and TYPE its family is announced with. Lifeboat's metrics file holds the latest sample of each operation.
import Foundation

public struct MetricSample: Sendable, Equatable {
    public enum Kind: String, Sendable { case gauge, counter }

    public var name: String
    /// Label pairs in the order written.
    public var labels: [(String, String)]
    public var value: Double
    public var kind: Kind
    public var help: String

    public init(_ name: String, _ labels: [(String, String)], _ value: Double, kind: Kind = .gauge, help: String) {
        self.name = name
        self.labels = labels
        self.value = value
        self.kind = kind
        self.help = help
    }

    /// Name plus labels: two samples with the same identity replace each other.
    public var identity: String { name + PrometheusText.labelText(labels) }

    public static func == (lhs: MetricSample, rhs: MetricSample) -> Bool {
        lhs.identity == rhs.identity && lhs.value == rhs.value && lhs.kind == rhs.kind && lhs.help == rhs.help
    }
}
