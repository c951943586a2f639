// S3LoggingExecutor: one line per request attempt it sees — method, the operation's own description (bucket
// keys, never a signed URL or a credential), the answer and the time taken. Composed inside the retry
// decorator, so every retry shows.
import Foundation
import Storage

public struct S3LoggingExecutor: S3RequestExecutor {
    let inner: any S3RequestExecutor
    let log: @Sendable (String) -> Void

    public init(_ inner: any S3RequestExecutor, log: @escaping @Sendable (String) -> Void) {
        self.inner = inner
        self.log = log
    }

    public func execute(_ request: S3Request) throws -> S3Exchange {
        let clock = ContinuousClock()
        let started = clock.now
        let what = "s3 \(request.method.rawValue) \(request.operation)"
        do {
            let exchange = try inner.execute(request)
            log("\(what): \(exchange.attempts.last ?? "no answer") in \((clock.now - started).logText)")
            return exchange
        } catch {
            log("\(what): failed in \((clock.now - started).logText): \(error)")
            throw error
        }
    }
}
