// InterceptedWriter: the writer of an InterceptedStore. Writes pass straight through (intercepting every
// buffer would cost more than the write); commit and abort, which make or discard the object, are intercepted
// with the number of bytes written.
final class InterceptedWriter: BlobWriter {
    private let inner: BlobWriter
    private let key: ObjectKey
    private let interceptor: any StoreInterceptor
    private var bytes: Int64 = 0

    init(inner: BlobWriter, key: ObjectKey, interceptor: any StoreInterceptor) {
        self.inner = inner
        self.key = key
        self.interceptor = interceptor
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        try inner.write(buffer)
        bytes += Int64(buffer.count)
    }

    func commit() throws -> BlobInfo {
        try interceptor.intercept(StoreOperation(.commit, key.rawValue, bytes: bytes)) { try inner.commit() }
    }

    /// Abort never fails; an interceptor that refuses it cannot stop the writer from being discarded.
    func abort() {
        do {
            try interceptor.intercept(StoreOperation(.abort, key.rawValue, bytes: bytes)) { inner.abort() }
        } catch {
            inner.abort()
        }
    }
}
