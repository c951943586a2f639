// The control endpoint of scripts/fault-proxy.py (POST queues faults, GET returns the request log, DELETE
// clears both), reached with curl so the code under test plays no part in arranging its own faults.
import Foundation

extension S3TestServer {
    /// Queues faults in the proxy; each entry is one JSON object of the proxy's fault language.
    public func queueFaults(_ faults: [[String: Any]]) throws {
        try queueFaults(json: String(decoding: try JSONSerialization.data(withJSONObject: faults), as: UTF8.self))
    }

    /// Queues faults written as a JSON list.
    public func queueFaults(json: String) throws {
        try Curl.run(["-X", "POST", "--data-binary", json, proxy + "/__faults__"])
    }

    /// The proxy's request log: method, path, status, done.
    public func proxyLog() throws -> [[String: Any]] {
        let data = try Curl.run([proxy + "/__faults__"])
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["log"] as? [[String: Any]] ?? []
    }

    /// Empties the fault queue and the request log.
    public func clearFaults() throws { try Curl.run(["-X", "DELETE", proxy + "/__faults__"]) }
}
