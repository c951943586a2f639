// LoggingInterceptor: one log line per store operation, with its duration and outcome, for
// LIFEBOAT_LOG_LEVEL=trace. Storage knows no logging library: the line goes to a closure the composition root
// (StoreFactory) connects to the run's logger.
import Foundation

public struct LoggingInterceptor: StoreInterceptor {
    let location: String
    let log: @Sendable (String) -> Void

    /// `location` names the store in every line (never credentials: `BlobStore.location` has none).
    public init(location: String, log: @escaping @Sendable (String) -> Void) {
        self.location = location
        self.log = log
    }

    public func intercept<T>(_ operation: StoreOperation, _ body: () throws -> T) throws -> T {
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let result = try body()
            log("store \(location): \(operation) done in \((clock.now - started).logText)")
            return result
        } catch {
            log("store \(location): \(operation) failed in \((clock.now - started).logText): \(error)")
            throw error
        }
    }
}
