// ClientPool: a small pool of libcurl handles so parallel part uploads each have one and connections are reused.
import Foundation
import HTTPTransport

final class ClientPool: @unchecked Sendable {
    // `idle` is guarded by `lock`; a client is used by one thread at a time (taken out of the pool while used).
    private let options: TransportOptions
    private let lock = NSLock()
    private var idle: [HTTPClient] = []
    /// Idle clients kept: enough for one object's parallel requests, so their connections are reused.
    private let idleLimit: Int

    init(options: TransportOptions, idleLimit: Int = 8) {
        self.options = options
        self.idleLimit = idleLimit
    }

    func with<T>(_ body: (HTTPClient) throws -> T) throws -> T {
        let client = try lock.withLock { idle.popLast() } ?? HTTPClient(options: options)
        defer { lock.withLock { if idle.count < idleLimit { idle.append(client) } } }
        return try body(client)
    }
}
