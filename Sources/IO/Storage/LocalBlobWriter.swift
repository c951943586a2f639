// Streaming writer of the local store: bytes go to a private temp file that only `commit` makes visible.
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class LocalBlobWriter: BlobWriter {
    private let store: LocalStore
    private let key: ObjectKey
    private let temporary: String
    /// Until `commit` or `abort`: the temporary file in `.tmp/` that commit renames into place (SystemIO).
    private var file: DurableFile?
    private var size: Int64 = 0

    init(store: LocalStore, key: ObjectKey) throws {
        self.store = store
        self.key = key
        let temporary = store.temporaryPath()
        self.temporary = temporary
        let file = try POSIX.mapped { try DurableFile(replacing: store.path(key), mode: 0o600) { temporary } }
        try store.owner?.adopt(fd: file.descriptor.rawValue, path: temporary)  // on failure deinit removes it
        self.file = file
    }

    deinit { abort() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let file else { throw StoreError.io(operation: "write", path: temporary, errno: EBADF) }
        try POSIX.mapped { try file.write(bytes) }
        size += Int64(bytes.count)
    }

    /// fsync, rename into place, fsync the directory (DurableFile); the temporary file goes on any failure.
    func commit() throws -> BlobInfo {
        guard let file else { throw StoreError.io(operation: "commit", path: temporary, errno: EBADF) }
        self.file = nil  // the last reference: on any failure below, DurableFile removes the temporary file
        try POSIX.makeDirectories(POSIX.parent(of: file.path), owner: store.owner)
        try POSIX.mapped { try file.commit() }
        return try store.head(key) ?? BlobInfo(key: key, size: size, modified: .init())
    }

    func abort() {
        file?.discard()
        file = nil
    }
}

final class LocalBlobReader: BlobReader {
    private var fd: Int32
    private let path: String

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard fd >= 0 else { return 0 }
        return try POSIX.mapped { try FileDescriptor(fd).read(into: buffer, path: path) }
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}
