// S3RequestExecutor: the seam below S3Store where an S3 request becomes HTTP exchanges. S3HTTPExecutor signs
// and sends one attempt; decorators wrap it: S3RetryingExecutor (transient failures, backoff) and
// S3LoggingExecutor (one line per attempt). They are composed once, where stores are built (StoreFactory).
//
// Why retries live here and not around the store: a request is the unit that can be replayed exactly — signed
// afresh with the current date, its body rebuilt from bytes or a replayable source — so each multipart part and
// each ranged GET is retried on its own, and the conditional PUT of `createExclusive` is retried as a request
// (a 412 is then an answer, never retried). A store-level wrapper could not replay a streaming writer's bytes,
// and repeating a whole download or upload would cost far more than the one request that failed.
import HTTPTransport
import S3Protocol

public protocol S3RequestExecutor: Sendable {
    /// Sends `request` and reports the server's answer, whatever its status, or why there was none. Throws only
    /// errors that do not come from the exchange (a request body source's own failure), unchanged.
    func execute(_ request: S3Request) throws -> S3Exchange
}

/// The outcome of one S3 request after however many attempts an executor made.
public struct S3Exchange: Sendable {
    public enum Outcome: Sendable {
        /// The server answered; `error` is its error document when the status is not 2xx.
        case answered(HTTPResponse, error: S3ErrorBody?)
        /// No answer: the connection failed, broke or timed out, or TLS failed.
        case failed(TransportError)
    }

    public var outcome: Outcome
    /// One line per attempt ("HTTP 503 SlowDown", a transport error's message), oldest first: an error that
    /// ends the request lists them all.
    public var attempts: [String]

    public init(outcome: Outcome, attempts: [String]) {
        self.outcome = outcome
        self.attempts = attempts
    }

    public var succeeded: Bool {
        if case .answered(let response, _) = outcome { return response.isSuccess }
        return false
    }

    /// Worth another attempt (RetryPolicy for answers, TransportError for failures); false for a success.
    public var isTransient: Bool {
        switch outcome {
        case .answered(let response, let error):
            return !response.isSuccess && RetryPolicy.isTransient(status: response.status, code: error?.code)
        case .failed(let error):
            return error.isTransient
        }
    }
}
