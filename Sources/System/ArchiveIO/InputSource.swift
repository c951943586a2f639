// InputSource: the bridge from libarchive's C read callback to a TarReader's Swift `input` closure.
// It owns the one buffer libarchive reads compressed bytes from; the buffer is reused for every call.
import CLibArchive

final class InputSource {
    private let input: (UnsafeMutableRawBufferPointer) throws -> Int
    private let buffer: UnsafeMutableRawBufferPointer
    /// The first error `input` threw. libarchive only sees "-1"; the reader rethrows this original error.
    private(set) var error: (any Error)?

    init(bufferSize: Int, input: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.input = input
        self.buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// The reader keeps this object alive longer than the archive that points at it, so an unretained
    /// pointer is enough and nothing has to be released in a C close callback.
    var clientData: UnsafeMutableRawPointer {
        Unmanaged.passUnretained(self).toOpaque()
    }

    /// Installs the C read callback on `archive` and lets libarchive detect the compression and format.
    func open(_ archive: OpaquePointer) -> Int32 {
        archive_read_open(
            archive, clientData, nil,
            { _, client, pointer in
                guard let client, let pointer else { return -1 }
                return Unmanaged<InputSource>.fromOpaque(client).takeUnretainedValue().fill(pointer)
            }, nil)
    }

    private func fill(_ pointer: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        guard error == nil else { return -1 }
        do {
            let count = try input(buffer)
            guard count >= 0, count <= buffer.count else {
                throw ArchiveError.misuse("input returned '\(count)' bytes for a buffer of '\(buffer.count)'")
            }
            pointer.pointee = UnsafeRawPointer(buffer.baseAddress)
            return count
        } catch {
            self.error = error
            return -1
        }
    }
}
