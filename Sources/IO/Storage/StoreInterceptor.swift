// StoreInterceptor: what a decorator runs around every operation of the store it wraps (InterceptedStore):
// logging, counting, metrics, rate limits. It sees the operation and may time it, observe its outcome, refuse
// it by throwing, or run it more than once — but the contract's rules stay with the interceptor: only
// idempotent operations may be repeated (`createExclusive` may not), and a streaming writer's bytes are gone
// once written, so whole-upload retries are impossible here. Retries of single requests belong below the
// store, where the request can be replayed (S3: S3RetryingExecutor).
public protocol StoreInterceptor: Sendable {
    /// Runs `body`, the wrapped store's operation, and returns its result or rethrows its error.
    func intercept<T>(_ operation: StoreOperation, _ body: () throws -> T) throws -> T
}

/// One store operation as an interceptor sees it: never object contents, never credentials.
public struct StoreOperation: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case put, commit, abort, open, head, list, delete, createExclusive
        case setStorageClass, rehydration, requestRehydration, objectLock, extendObjectLock, setLegalHold
        case deleteAllVersions
        case bucketStatus, objectLockEnabled, incompleteUploads, abortUpload
    }

    public var kind: Kind
    /// The key, listing prefix or bucket the operation is about.
    public var subject: String
    /// Bytes sent (put, createExclusive, a writer's commit).
    public var bytes: Int64?

    public init(_ kind: Kind, _ subject: String, bytes: Int64? = nil) {
        self.kind = kind
        self.subject = subject
        self.bytes = bytes
    }

    /// "put 'backups/c/x' (12 bytes)".
    public var description: String {
        "\(kind.rawValue) '\(subject)'" + (bytes.map { " (\($0) bytes)" } ?? "")
    }
}
