// Streaming writer of the local store: bytes go to a private temp file that only `commit` makes visible.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class LocalBlobWriter: BlobWriter {
    private let store: LocalStore
    private let key: ObjectKey
    private let temporary: String
    private var fd: Int32
    private var size: Int64 = 0

    init(store: LocalStore, key: ObjectKey) throws {
        self.store = store
        self.key = key
        self.temporary = store.temporaryPath()
        self.fd = try POSIX.openFile(temporary, flags: O_WRONLY | O_CREAT | O_EXCL)
        do {
            try store.owner?.adopt(fd: fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
    }

    deinit { abort() }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw StoreError.io(operation: "write", path: temporary, errno: EBADF) }
        try POSIX.writeAll(fd, bytes, path: temporary)
        size += Int64(bytes.count)
    }

    func commit() throws -> BlobInfo {
        guard fd >= 0 else { throw StoreError.io(operation: "commit", path: temporary, errno: EBADF) }
        try POSIX.check(fsync(fd), "fsync", temporary)
        close(fd)
        fd = -1
        let destination = store.path(key)
        try POSIX.makeDirectories(POSIX.parent(of: destination), owner: store.owner)
        try POSIX.check(rename(temporary, destination), "rename", destination)
        try POSIX.fsyncPath(POSIX.parent(of: destination), directory: true)
        return try store.head(key) ?? BlobInfo(key: key, size: size, modified: .init())
    }

    func abort() {
        if fd >= 0 {
            close(fd)
            fd = -1
            unlink(temporary)
        }
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
        return try POSIX.readSome(fd, buffer, path: path)
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}
