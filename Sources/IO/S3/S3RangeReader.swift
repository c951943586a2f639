// S3RangeReader: streams an object with ranged GETs of the part size (16 MiB by default), up to `parallel`
// ranges fetched ahead in the background while the current one is consumed (memory: (parallel + 1) × range size),
// fewer while other transfers of the store run (S3TransferShare). Each range is its own request, retried on its own, so a dropped connection costs one range, not
// the download. Ranges as large as parts halve the requests of 8 MiB ones: every request costs a round trip and
// signing here, and some servers read far more than the range per request (moto reads the whole object).
// An archived object (GLACIER, DEEP_ARCHIVE) is reported by class.
import Foundation
import HTTPTransport
import S3Protocol
import Storage

final class S3RangeReader: BlobReader, @unchecked Sendable {
    // Used by one reading thread; the prefetch thread only fills `Prefetch`, which synchronises itself.
    private let store: S3Store
    private let key: ObjectKey
    private let rangeSize: Int64
    private var total: Int64 = 0
    private var nextStart: Int64 = 0
    private var current: [UInt8] = []
    private var offset = 0
    private var pending: [Prefetch] = []
    private var counted = true

    init(store: S3Store, key: ObjectKey, rangeSize: Int64) throws {
        self.store = store
        self.key = key
        self.rangeSize = rangeSize
        store.transfers.begin()
        let first: [UInt8]
        let total: Int64
        do {
            (first, total) = try fetchFirst()
        } catch {
            store.transfers.end()
            throw error
        }
        self.current = first
        self.total = total
        self.nextStart = Int64(first.count)
        startPrefetch()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if offset == current.count {
            guard !pending.isEmpty else { return 0 }
            current = try pending.removeFirst().join()
            offset = 0
            startPrefetch()
            if current.isEmpty { return 0 }
        }
        let count = min(buffer.count, current.count - offset)
        current.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
        }
        offset += count
        return count
    }

    func close() {
        for fetch in pending { _ = try? fetch.join() }
        pending = []
        if counted { store.transfers.end() }
        counted = false
    }

    deinit { if counted { store.transfers.end() } }

    /// Keeps this transfer's share of ranges in flight, in order.
    private func startPrefetch() {
        let depth = store.transfers.depth
        while pending.count < depth && nextStart < total {
            let start = nextStart
            let end = min(nextStart + rangeSize, total) - 1
            nextStart = end + 1
            pending.append(
                Prefetch { [store, key] in try Self.fetch(store: store, key: key, start: start, end: end).body })
        }
    }

    /// The first range also tells the object's size (Content-Range), or that it is empty (416 / 200 empty).
    private func fetchFirst() throws -> ([UInt8], Int64) {
        do {
            let response = try Self.fetch(store: store, key: key, start: 0, end: rangeSize - 1)
            if response.status == 200 { return (response.body, Int64(response.body.count)) }
            let total = response.headers["content-range"].flatMap { $0.split(separator: "/").last }.flatMap {
                Int64($0)
            }
            return (response.body, total ?? Int64(response.body.count))
        } catch let error as S3Error {
            if case .request(_, 416, _, _, _, _) = error { return ([], 0) }
            throw error
        }
    }

    static func fetch(store: S3Store, key: ObjectKey, start: Int64, end: Int64) throws -> HTTPResponse {
        var request = S3Request(operation: "download of '\(key)'", method: .get, key: store.fullKey(key))
        request.headers = [("range", "bytes=\(start)-\(end)")]
        do {
            return try store.perform(request)
        } catch let error as S3Error {
            guard case .request(_, let status, let code, _, _, _) = error else { throw error }
            if status == 404 { throw StoreError.notFound(key: key.rawValue, store: store.location) }
            if code == "InvalidObjectState" {
                throw S3Error.archived(
                    key: key.rawValue, storageClass: (try? store.head(key))??.storageClass ?? "GLACIER")
            }
            throw error
        }
    }
}

/// One background fetch whose result is collected with `join`.
final class Prefetch: @unchecked Sendable {
    // `result` is written once before `done` is signalled and read only after waiting on it.
    private var result: Result<[UInt8], Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () throws -> [UInt8]) {
        let thread = Thread { [self] in
            result = Result { try work() }
            done.signal()
        }
        thread.name = "lifeboat-s3-prefetch"
        thread.start()
    }

    func join() throws -> [UInt8] {
        done.wait()
        done.signal()
        return try result!.get()
    }
}
