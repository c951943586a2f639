// MemoryStore: an in-memory BlobStore for unit tests of everything above storage. Thread-safe.
import Foundation

public final class MemoryStore: BlobStore, @unchecked Sendable {
    // Guarded by `lock`; @unchecked Sendable because every access goes through `synchronized`.
    private var objects: [ObjectKey: (bytes: [UInt8], modified: Date)] = [:]
    private let lock = NSLock()
    public let location = "memory://"

    public init() {}

    /// Exclusive create under the same lock as every write; nothing else (no classes, locks or versions).
    public var capabilities: StoreCapabilities { [.exclusiveCreate] }
    public var archival: (any ArchivalOperations)? { nil }
    public var bucket: (any BucketOperations)? { nil }

    private func synchronized<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    public func put(_ key: ObjectKey, data: [UInt8]) throws {
        synchronized { objects[key] = (data, Date()) }
    }

    public func makeWriter(for key: ObjectKey) throws -> BlobWriter { MemoryBlobWriter(store: self, key: key) }

    public func open(_ key: ObjectKey) throws -> BlobReader {
        guard let object = synchronized({ objects[key] }) else {
            throw StoreError.notFound(key: key.rawValue, store: location)
        }
        return MemoryBlobReader(bytes: object.bytes)
    }

    public func head(_ key: ObjectKey) throws -> BlobInfo? {
        synchronized { objects[key].map { BlobInfo(key: key, size: Int64($0.bytes.count), modified: $0.modified) } }
    }

    public func list(prefix: String) throws -> [BlobInfo] {
        synchronized {
            objects.filter { $0.key.rawValue.hasPrefix(prefix) }
                .map { BlobInfo(key: $0.key, size: Int64($0.value.bytes.count), modified: $0.value.modified) }
                .sorted { $0.key < $1.key }
        }
    }

    public func delete(_ key: ObjectKey) throws {
        _ = synchronized { objects.removeValue(forKey: key) }
    }

    public func createExclusive(_ key: ObjectKey, data: [UInt8]) throws -> Bool {
        synchronized {
            guard objects[key] == nil else { return false }
            objects[key] = (data, Date())
            return true
        }
    }

    /// Test hook: replace an object's bytes in place (tamper simulation).
    public func mutate(_ key: ObjectKey, _ change: (inout [UInt8]) -> Void) {
        synchronized {
            guard var object = objects[key] else { return }
            change(&object.bytes)
            objects[key] = object
        }
    }
}

final class MemoryBlobWriter: BlobWriter {
    private let store: MemoryStore
    private let key: ObjectKey
    private var buffer: [UInt8] = []
    private var finished = false

    init(store: MemoryStore, key: ObjectKey) {
        self.store = store
        self.key = key
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws { buffer.append(contentsOf: bytes) }

    func commit() throws -> BlobInfo {
        finished = true
        try store.put(key, data: buffer)
        return BlobInfo(key: key, size: Int64(buffer.count), modified: Date())
    }

    func abort() {
        finished = true
        buffer = []
    }
}

final class MemoryBlobReader: BlobReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
        }
        offset += count
        return count
    }

    func close() {}
}
