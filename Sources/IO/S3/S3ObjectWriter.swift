// S3ObjectWriter: a streaming upload of unknown length. Up to one part it is a single PUT at commit; beyond
// that a multipart upload whose parts are uploaded on their own threads, at most `parallel` at a time (fewer
// while other transfers of the store run: S3TransferShare), so memory stays at (parallel + 1) × part size
// whatever the object's size. Each part carries its SHA-256
// as x-amz-content-sha256 (signed), which S3 checks against the bytes it receives. Part sizes double every
// 1,000 parts to stay under S3's 10,000-part limit. Any failure or `abort` aborts the multipart upload.
import Cipher
import Foundation
import S3Protocol
import Storage

final class S3ObjectWriter: BlobWriter, @unchecked Sendable {
    // Producer-side state (`current`, `partNumber`, `size`) is touched only by the writing thread; `uploadId`,
    // `aborted`, `etags` and `failure` are shared with part threads and a signal path, and guarded by `lock`.
    private let store: S3Store
    private let key: ObjectKey
    private let fullKey: String
    private var current: [UInt8] = []
    private var partNumber = 0
    private var size: Int64 = 0
    private var uploadId: String?
    private let lock = NSLock()
    private var etags: [Int: String] = [:]
    private var failure: Error?
    /// Part buffers handed back by finished part threads, reused so memory stays at the (parallel + 1)
    /// buffers actually needed instead of growing with allocator fragmentation (one arena per thread).
    private var spareBuffers: [[UInt8]] = []
    /// Parts being uploaded; guarded by `flight`, which part threads signal when they end.
    private var inFlight = 0
    private let flight = NSCondition()
    private var counted = true
    private let group = DispatchGroup()
    private var finished = false
    private var aborted = false

    init(store: S3Store, key: ObjectKey) {
        self.store = store
        self.key = key
        self.fullKey = store.fullKey(key)
        current.reserveCapacity(partSize(for: 1))
        store.transfers.begin()
    }

    deinit { endTransfer() }

    /// This writer no longer counts against the store's share (committed, failed or aborted).
    private func endTransfer() {
        let wasCounted = lock.withLock {
            defer { counted = false }
            return counted
        }
        if wasCounted { store.transfers.end() }
    }

    func partSize(for number: Int) -> Int {
        min(store.configuration.partSize << min((number - 1) / 1000, 16), 5 << 30)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            let room = partSize(for: partNumber + 1) - current.count
            let take = min(room, rest.count)
            current.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            size += Int64(take)
            if current.count == partSize(for: partNumber + 1) { try ship() }
        }
    }

    func commit() throws -> BlobInfo {
        finished = true
        defer { endTransfer() }
        guard lock.withLock({ uploadId }) != nil else {
            try store.put(key, data: current)
            return BlobInfo(key: key, size: size, modified: Date())
        }
        do {
            if !current.isEmpty { try ship() }
            group.wait()
            if let failure = lock.withLock({ self.failure }) { throw failure }
            try complete()
            return BlobInfo(key: key, size: size, modified: Date())
        } catch {
            abortUpload(waitForParts: true)
            throw error
        }
    }

    /// Aborts at once, without waiting for parts in flight: it may run on a signal path, where the process exits
    /// right after and takes those transfers with it.
    func abort() {
        lock.withLock {
            if failure == nil { failure = StoreError.io(operation: "upload aborted", path: fullKey, errno: ECANCELED) }
        }
        abortUpload(waitForParts: false)
        endTransfer()
    }

    /// Hands the current buffer to a part-upload thread (waiting while this transfer's share is busy).
    private func ship() throws {
        if lock.withLock({ self.uploadId }) == nil {
            let created = try createUpload()
            lock.withLock { self.uploadId = created }
        }
        if let failure = lock.withLock({ self.failure }) { throw failure }
        partNumber += 1
        let number = partNumber
        let uploadId = lock.withLock { self.uploadId } ?? ""
        flight.lock()
        while inFlight >= store.transfers.depth { flight.wait() }
        inFlight += 1
        flight.unlock()
        let handOff = PartBuffer(current)  // moved, not copied: the part thread ends up the only owner
        current = lock.withLock { spareBuffers.popLast() } ?? []
        current.reserveCapacity(partSize(for: partNumber + 1))
        group.enter()
        let thread = Thread { [self] in
            var buffer = handOff.take()
            defer {
                buffer.removeAll(keepingCapacity: true)
                lock.withLock { spareBuffers.append(buffer) }
                flight.lock()
                inFlight -= 1
                flight.broadcast()
                flight.unlock()
                group.leave()
            }
            do {
                let etag = try uploadPart(number: number, body: buffer, uploadId: uploadId)
                lock.withLock { etags[number] = etag }
            } catch {
                lock.withLock { if failure == nil { failure = error } }
            }
        }
        thread.name = "lifeboat-s3-part-\(number)"
        thread.start()
    }

    private func createUpload() throws -> String {
        var request = S3Request(operation: "start of multipart upload '\(key)'", method: .post, key: fullKey)
        request.query = [("uploads", "")]
        request.headers = store.uploadHeaders(for: key)
        return try S3XML.initiateMultipartUpload(try store.perform(request).body)
    }

    private func uploadPart(number: Int, body: [UInt8], uploadId: String) throws -> String {
        var request = S3Request(operation: "upload of part \(number) of '\(key)'", method: .put, key: fullKey)
        request.query = [("partNumber", String(number)), ("uploadId", uploadId)]
        request.headers = store.integrityHeaders(for: body)
        request.body = .bytes(body, sha256: Hex.encode(SHA256Hasher.hash(body)))
        let response = try store.perform(request)
        guard let etag = response.headers["etag"] else {
            throw S3ProtocolError.malformedResponse("part \(number) of '\(key)' was stored without an ETag")
        }
        return etag
    }

    private func complete() throws {
        let parts = lock.withLock { etags.sorted { $0.key < $1.key } }
        guard parts.count == partNumber else {
            throw S3ProtocolError.malformedResponse("\(partNumber) parts were sent but \(parts.count) acknowledged")
        }
        var request = S3Request(operation: "completion of multipart upload '\(key)'", method: .post, key: fullKey)
        request.query = [("uploadId", lock.withLock { uploadId } ?? "")]
        let xml = S3XML.completeMultipartUploadRequest(
            parts: parts.map { (number: $0.key, eTag: $0.value, checksumSHA256: nil) })
        request.headers = [("content-type", "application/xml")]
        request.body = .bytes(xml, sha256: Hex.encode(SHA256Hasher.hash(xml)))
        // CompleteMultipartUpload may answer 200 with an <Error> body.
        // (Checked by the <Error> root alone: servers differ in the name of the success document.)
        if let error = S3XML.error(try store.perform(request).body) {
            throw store.failure(request, status: 200, body: error, attempts: ["HTTP 200 \(error.code)"])
        }
    }

    /// Best effort: aborts the upload so no orphaned parts stay stored (and billed).
    /// Runs at most once, whichever path (failed commit, producer failure, signal) gets here first.
    private func abortUpload(waitForParts: Bool) {
        let target: String? = lock.withLock {
            guard !aborted, let uploadId else { return nil }
            aborted = true
            return uploadId
        }
        guard let uploadId = target else { return }
        if waitForParts { group.wait() }
        var request = S3Request(operation: "abort of multipart upload '\(key)'", method: .delete, key: fullKey)
        request.query = [("uploadId", uploadId)]
        _ = try? store.perform(request)
    }
}

/// Moves one part's bytes to its upload thread without leaving a second reference behind (which would make
/// the buffer copy on reuse).
final class PartBuffer: @unchecked Sendable {
    // Written once by the producer before the thread starts; taken once by that thread.
    private var bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func take() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }
}
