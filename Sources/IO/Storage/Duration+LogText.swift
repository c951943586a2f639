// Durations in log lines of the storage decorators: "0.012 s".
import Foundation

extension Duration {
    public var logText: String {
        let (seconds, attoseconds) = components
        return String(format: "%.3f s", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
