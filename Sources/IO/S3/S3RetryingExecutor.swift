// S3RetryingExecutor: retries transient failures of a request (RetryPolicy: 429, 5xx, SlowDown and kin,
// connection failures and timeouts) with capped exponential backoff and full jitter, up to `maxAttempts`
// attempts in all. Permanent failures end the request at once. Every attempt goes through the wrapped executor,
// which signs it afresh. The result carries one line per attempt, so the final error summarises them all.
import Foundation
import S3Protocol

public struct S3RetryingExecutor: S3RequestExecutor {
    let inner: any S3RequestExecutor
    let maxAttempts: Int
    let sleeper: @Sendable (TimeInterval) -> Void

    /// `maxAttempts` below 1 still makes one attempt. `sleeper` waits between attempts (tests pass a no-op).
    public init(
        _ inner: any S3RequestExecutor, maxAttempts: Int,
        sleeper: @escaping @Sendable (TimeInterval) -> Void = { Thread.sleep(forTimeInterval: $0) }
    ) {
        self.inner = inner
        self.maxAttempts = maxAttempts
        self.sleeper = sleeper
    }

    public func execute(_ request: S3Request) throws -> S3Exchange {
        var attempts: [String] = []
        for attempt in 0..<max(maxAttempts, 1) {
            var exchange = try inner.execute(request)
            attempts += exchange.attempts
            exchange.attempts = attempts
            let last = attempt + 1 >= maxAttempts
            if exchange.succeeded || last || !exchange.isTransient { return exchange }
            sleeper(RetryPolicy.delay(attempt: attempt, random: Double.random(in: 0..<1)))
        }
        preconditionFailure("the retry loop always returns or throws")
    }
}
