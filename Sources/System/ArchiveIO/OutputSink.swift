// OutputSink: the bridge from libarchive's C write callback to a TarWriter's Swift `output` closure.
// C callbacks cannot capture, so libarchive carries a pointer to this object as its client data.
import CLibArchive

final class OutputSink {
    private let output: (UnsafeRawBufferPointer) throws -> Void
    /// The first error `output` threw. libarchive only sees "-1"; the writer rethrows this original error.
    private(set) var error: (any Error)?

    init(output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.output = output
    }

    /// The writer keeps this object alive longer than the archive that points at it, so an unretained
    /// pointer is enough and nothing has to be released in a C close callback.
    var clientData: UnsafeMutableRawPointer {
        Unmanaged.passUnretained(self).toOpaque()
    }

    /// Installs the C write callback on `archive`.
    func open(_ archive: OpaquePointer) -> Int32 {
        archive_write_open2(
            archive, clientData, nil,
            { _, client, buffer, length in
                guard let client else { return -1 }
                return Unmanaged<OutputSink>.fromOpaque(client).takeUnretainedValue().consume(buffer, length)
            }, nil, nil)
    }

    private func consume(_ buffer: UnsafeRawPointer?, _ length: Int) -> Int {
        // Once output has failed it is never called again, so the caller sees exactly one failure.
        guard error == nil else { return -1 }
        do {
            try output(UnsafeRawBufferPointer(start: buffer, count: length))
            return length
        } catch {
            self.error = error
            return -1
        }
    }
}
